/*
 * SocialConnect — the auto-sizing loader of the embeddable widget (docs/widget.md).
 *
 *   <div data-socialconnect-embed="/embed?theme=ENV&territory=region:84"></div>
 *   <script src="https://socialconnect.example/embed.js" async></script>
 *
 * Each element with data-socialconnect-embed gets a frame of SocialConnect's /embed page (the search of
 * the attribute; data-title names the frame for screen readers), loaded lazily, and the frame takes the
 * height its page announces. Only messages from SocialConnect's own origin, from one of these frames,
 * carrying a height in a sane range are believed. Hand-written, no dependency, served as it is.
 */
(function () {
  'use strict';

  var MESSAGE = 'socialconnect:embed-height';
  var MIN_HEIGHT = 120;
  var MAX_HEIGHT = 4000;
  var DEFAULT_HEIGHT = 600;

  function scriptUrl() {
    var current = document.currentScript;
    if (current && current.src) return current.src;
    var scripts = document.querySelectorAll('script[src]');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/embed\.js(\?|#|$)/.test(scripts[i].src)) return scripts[i].src;
    }
    return null;
  }

  var src = scriptUrl();
  if (!src || typeof URL !== 'function') return;
  var ORIGIN = new URL(src, window.location.href).origin;
  var frames = [];

  /** The widget's address at SocialConnect: only its /embed page, whatever the attribute says. */
  function frameUrl(raw) {
    var url;
    try {
      url = new URL(raw || '/embed', ORIGIN);
    } catch (e) {
      return null;
    }
    return ORIGIN + '/embed' + url.search;
  }

  function mount(element) {
    if (element.getAttribute('data-socialconnect-mounted') === '1') return;
    var url = frameUrl(element.getAttribute('data-socialconnect-embed'));
    if (!url) return;
    element.setAttribute('data-socialconnect-mounted', '1');
    var params = new URL(url).searchParams;
    var title = element.getAttribute('data-title') || params.get('title') || 'Initiatives sociales';
    var frame = document.createElement('iframe');
    frame.setAttribute('src', url);
    frame.setAttribute('title', title.slice(0, 120) + ' — SocialConnect');
    frame.setAttribute('loading', 'lazy');
    frame.setAttribute('width', '100%');
    frame.setAttribute('height', String(DEFAULT_HEIGHT));
    frame.style.display = 'block';
    frame.style.width = '100%';
    frame.style.maxWidth = '100%';
    frame.style.border = '0';
    element.appendChild(frame);
    frames.push(frame);
  }

  function mountAll() {
    var elements = document.querySelectorAll('[data-socialconnect-embed]');
    for (var i = 0; i < elements.length; i++) mount(elements[i]);
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== ORIGIN) return;
    var data = event.data;
    if (!data || typeof data !== 'object' || data.type !== MESSAGE) return;
    var height = data.height;
    if (typeof height !== 'number' || !isFinite(height)) return;
    height = Math.ceil(height);
    if (height < MIN_HEIGHT || height > MAX_HEIGHT) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].setAttribute('height', String(height));
        frames[i].style.height = height + 'px';
        return;
      }
    }
  });

  mountAll();
  // An async script may run before the end of the page: the elements after it are mounted once it is read.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
})();
