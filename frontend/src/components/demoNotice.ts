/** Shows the footer sentence about demonstration data while such records are on screen. */
export function setDemoNotice(visible: boolean): void {
  const notice = document.getElementById('demo-notice');
  if (notice) notice.hidden = !visible;
}
