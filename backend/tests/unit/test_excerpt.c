/* Search excerpts: which words are marked (folded and stemmed as the search matches them), which
 * passages are shown, and that the text is escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/excerpt.h"

/* The excerpt of text for the lexemes of the tsquery text q; the caller frees out. */
static void excerpt_of(const char *q, const char *text, buf_t *out) {
    excerpt_terms_t t;
    assert_true(excerpt_terms_parse(q, &t));
    buf_init(out, 4 * EXCERPT_TEXT_MAX);
    assert_true(excerpt_html(text, strlen(text), &t, out));
}

static size_t count_of(const char *s, const char *what) {
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void terms_are_read_from_a_tsquery(void **state) {
    (void)state;
    excerpt_terms_t t;
    assert_true(excerpt_terms_parse("'jardin' & 'partag'", &t));
    assert_int_equal(t.n, 2);
    assert_string_equal(t.t[0].lexeme, "jardin");
    assert_string_equal(t.t[1].lexeme, "partag");
    assert_false(t.t[0].prefix);

    assert_true(excerpt_terms_parse("'aid' <-> 'alimentair' | 'caf':* & 'x':AB", &t));
    assert_int_equal(t.n, 4);
    assert_string_equal(t.t[2].lexeme, "caf");
    assert_true(t.t[2].prefix);
    assert_false(t.t[3].prefix);

    /* Negated words are not in the results: nothing to mark. */
    assert_true(excerpt_terms_parse("!'velo' & 'atelier' & !( 'a' | 'b' ) & 'c' <2> 'd'", &t));
    assert_int_equal(t.n, 3);
    assert_string_equal(t.t[0].lexeme, "atelier");
    assert_string_equal(t.t[1].lexeme, "c");
    assert_string_equal(t.t[2].lexeme, "d");

    assert_true(excerpt_terms_parse("'l''eau' & 'a\\\\b'", &t));
    assert_string_equal(t.t[0].lexeme, "l'eau");
    assert_string_equal(t.t[1].lexeme, "a\\b");

    assert_true(excerpt_terms_parse("", &t));
    assert_int_equal(t.n, 0);
    assert_false(excerpt_terms_parse("'unterminated", &t));
    assert_int_equal(t.n, 0);
    assert_false(excerpt_terms_parse("( 'a' & 'b'", &t));
    assert_false(excerpt_terms_parse("'a' )", &t));
}

static void words_are_marked_as_the_search_matches_them(void **state) {
    (void)state;
    buf_t out;
    /* Plural, accents, case, another form of the same stem; "l'" apart from its word. */
    excerpt_of("'jardin' & 'partag'", "Les JARDINS partagés de l'Île, où l'on partage tout.", &out);
    assert_string_equal(buf_cstr(&out), "Les <mark>JARDINS</mark> <mark>partagés</mark> de "
                                        "l&#39;Île, où l&#39;on <mark>partage</mark> tout.");
    buf_free(&out);

    excerpt_of("'aliment'", "Aide à l’alimentation : des aliments frais.", &out);
    assert_string_equal(buf_cstr(&out), "Aide à l’<mark>alimentation</mark> : des "
                                        "<mark>aliments</mark> frais.");
    buf_free(&out);

    /* Words with digits are compared as they are; a prefix matches the stems it starts. */
    excerpt_of("'2020' & 'caf':*", "En 2020 et 20200, un café, des cafés, une cafétéria.", &out);
    assert_string_equal(buf_cstr(&out), "En <mark>2020</mark> et 20200, un <mark>café</mark>, des "
                                        "<mark>cafés</mark>, une <mark>cafétéria</mark>.");
    buf_free(&out);

    /* Hyphenated words: each part is a word. */
    excerpt_of("'bien' & 'etre'", "Leur bien-être compte.", &out);
    assert_string_equal(buf_cstr(&out), "Leur <mark>bien</mark>-<mark>être</mark> compte.");
    buf_free(&out);
}

static void everything_is_escaped(void **state) {
    (void)state;
    buf_t out;
    excerpt_of("'script'", "<script>alert(\"x\")</script> & 'script' <b>", &out);
    assert_string_equal(buf_cstr(&out), "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/"
                                        "<mark>script</mark>&gt; &amp; &#39;<mark>script</mark>"
                                        "&#39; &lt;b&gt;");
    buf_free(&out);
}

/* Seventy words waa … wcr, a new line after the twentieth, words 5 and 60 replaced. */
static void long_text(char *text, size_t size, const char *at5, const char *at60) {
    size_t n = 0;
    for (int i = 0; i < 70; i++) {
        const char *w = i == 5 && at5 ? at5 : i == 60 && at60 ? at60 : NULL;
        char tmp[16];
        if (w == NULL) {
            tmp[0] = 'w';
            tmp[1] = (char)('a' + i / 26);
            tmp[2] = (char)('a' + i % 26);
            tmp[3] = '\0';
            w = tmp;
        }
        size_t l = strlen(w);
        assert_true(n + l + 2 < size);
        memcpy(text + n, w, l);
        n += l;
        text[n++] = i == 19 ? '\n' : ' ';
    }
    text[n - 1] = '.';
    text[n] = '\0';
}

static void passages_are_chosen_around_the_words(void **state) {
    (void)state;
    char text[2048];
    buf_t out;
    /* No match: the start of the text, EXCERPT_WORDS words, then "…". */
    long_text(text, sizeof text, NULL, NULL);
    excerpt_of("'solidair'", text, &out);
    assert_true(strncmp(buf_cstr(&out), "waa wab wac", 11) == 0);
    assert_int_equal(count_of(buf_cstr(&out), " "), EXCERPT_WORDS);
    assert_true(strstr(buf_cstr(&out), "wbb …") != NULL); /* word 27, then the ellipsis */
    assert_null(strstr(buf_cstr(&out), "<mark>"));
    buf_free(&out);

    /* One match near the end: a passage that ends the text, with what was left out before. */
    long_text(text, sizeof text, NULL, "solidaire");
    excerpt_of("'solidair'", text, &out);
    assert_true(strncmp(buf_cstr(&out), "… ", strlen("… ")) == 0);
    assert_non_null(strstr(buf_cstr(&out), "<mark>solidaire</mark>"));
    assert_true(strstr(buf_cstr(&out), "wcr.") != NULL); /* the last word and its full stop */
    assert_int_equal(count_of(buf_cstr(&out), "…"), 1);
    buf_free(&out);

    /* Matches far apart: two passages, in text order, joined by " … ". */
    long_text(text, sizeof text, "épicerie", "solidaires");
    excerpt_of("'epicer' & 'solidair'", text, &out);
    const char *s = buf_cstr(&out);
    const char *a = strstr(s, "<mark>épicerie</mark>"), *b = strstr(s, "<mark>solidaires</mark>");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    assert_non_null(strstr(s, " … "));
    assert_true(strncmp(s, "waa", 3) == 0); /* the first starts at the text's start (word 0) */
    buf_free(&out);
}

static void a_passage_starts_at_its_sentence(void **state) {
    (void)state;
    buf_t out;
    excerpt_of("'recycler'",
               "Un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
               "seize dix-sept dix-huit dix-neuf vingt vingt-et-un vingt-deux vingt-trois. Une "
               "recyclerie ouvre ses portes.",
               &out);
    assert_string_equal(buf_cstr(&out), "… Une <mark>recyclerie</mark> ouvre ses portes.");
    buf_free(&out);
}

/* A passage starts and ends between whole words: not after "l'" nor after "main-". The text has
 * 40 words; the passage of 28 around "atelier" would start at "atelier" (5 words before "bois")
 * and end at "main"; it takes "l'" before it and "d'œuvre" after it. */
static void a_passage_keeps_whole_words(void **state) {
    (void)state;
    buf_t out;
    excerpt_of(
            "'bois'",
            "Un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
            "seize dix sept l'atelier un deux trois quatre bois cinq six sept huit neuf dix onze "
            "douze treize quatorze quinze seize sept huit neuf dix un deux trois quatre cinq "
            "main-d'œuvre réduite et puis "
            "la suite du texte",
            &out);
    const char *s = buf_cstr(&out);
    assert_non_null(strstr(s, "… l&#39;atelier un"));
    assert_non_null(strstr(s, "main-d&#39;œuvre …"));
    assert_null(strstr(s, "main- …"));
    buf_free(&out);
}

/* A text longer than EXCERPT_TEXT_MAX is read up to a whole character: the passage that ends what
 * is read, a word then "»»»…" without a space, stays valid UTF-8 (the cut falls inside a "»"). */
static void a_long_text_is_cut_between_characters(void **state) {
    (void)state;
    size_t n = EXCERPT_TEXT_MAX + 4096, at = EXCERPT_TEXT_MAX - 37;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, 'x', at); /* words of seven letters: fewer than the words a text is read for */
    for (size_t i = 7; i < at; i += 8)
        text[i] = ' ';
    text[at - 1] = ' ';
    memcpy(text + at, "ab", 2);
    for (size_t i = at + 2; i + 1 < n; i += 2) { /* "»" is two bytes, C2 BB */
        text[i] = '\xc2';
        text[i + 1] = '\xbb';
    }
    text[n - 1] = ' ';
    text[n] = '\0';
    assert_true(utf8_valid(text, n));
    buf_t out;
    excerpt_of("'ab'", text, &out);
    assert_true(utf8_valid(buf_cstr(&out), out.len));
    assert_non_null(strstr(buf_cstr(&out), "<mark>ab</mark>\xc2\xbb"));
    buf_free(&out);
    free(text);
}

/* Runs of white space (core/utf8) become one space; a no-break space is kept (the punctuation it
 * binds stays on its word's line), and the punctuation it binds ends the passage with its word. */
static void white_space_is_collapsed_no_break_spaces_kept(void **state) {
    (void)state;
    buf_t out;
    excerpt_of("'jardin'",
               "Le\n\t jardin\xE2\x80\x83partagé\xE3\x80\x80"
               "du quartier",
               &out);
    assert_string_equal(buf_cstr(&out), "Le <mark>jardin</mark> partagé du quartier");
    buf_free(&out);
    excerpt_of("'jardin'", "Un « jardin\xC2\xA0» : ouvert", &out);
    assert_non_null(strstr(buf_cstr(&out), "<mark>jardin</mark>\xC2\xA0»"));
    buf_free(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(terms_are_read_from_a_tsquery),
            cmocka_unit_test(words_are_marked_as_the_search_matches_them),
            cmocka_unit_test(everything_is_escaped),
            cmocka_unit_test(passages_are_chosen_around_the_words),
            cmocka_unit_test(a_passage_starts_at_its_sentence),
            cmocka_unit_test(a_passage_keeps_whole_words),
            cmocka_unit_test(a_long_text_is_cut_between_characters),
            cmocka_unit_test(white_space_is_collapsed_no_break_spaces_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
