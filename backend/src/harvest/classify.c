#include "harvest/classify.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fold.h"

#define CLASSIFY_TEXT_MAX (64 * 1024)
#define CLASSIFY_WORDS    12000
#define CLASSIFY_PER_KW   3

/* Keywords are written folded (lower case, no accents). A trailing '*' matches any word starting
 * with the stem; several words must follow each other. Chosen to be specific: a word that is
 * common in every kind of project ("projet", "social") would only add noise. */
static const struct {
    const char *code;
    const char *keywords[16];
} themes[] = {
        {"EDU",
         {"education", "ecole*", "eleve*", "scolai*", "college*", "lycee*", "jeunesse", "pedagog*",
          "decrochage", "etudiant*", "enseignant*", "periscolaire", "soutien scolaire",
          "parentalite", NULL}},
        {"EMP",
         {"emploi*", "chomage", "chomeur*", "insertion professionnelle", "demandeur* d'emploi",
          "recrutement", "formation professionnelle", "apprentissage", "embauche*",
          "retour a l'emploi", "chantier d'insertion", "travailleur*", "reinsertion", NULL}},
        {"ENV",
         {"environnement*", "ecolog*", "climat*", "biodiversite", "dechet*", "recyclage",
          "energie*", "renovation energetique", "agricult*", "permaculture", "compost*",
          "zero dechet", "circuit* court*", "potager*", "jardin* partage*", NULL}},
        {"SAN",
         {"sante", "soin*", "medical*", "medecin*", "hopita*", "maladie*", "prevention",
          "bien-etre", "autonomie", "dependance", "aidant*", "handicap*", "psycholog*",
          "addiction*", NULL}},
        {"SOL",
         {"solidarit*", "precarite", "pauvrete", "sans-abri", "sans abri", "exclusion",
          "lien social", "isolement", "migrant*", "refugie*", "personnes agees", "seniors",
          "discrimination*", "aide alimentaire", "hebergement d'urgence", NULL}},
        {"TER",
         {"territoire*", "rural*", "ruralite", "quartier*", "amenagement", "habitat", "logement*",
          "mobilite*", "transport*", "covoiturage", "revitalisation", "centre-bourg",
          "politique de la ville", NULL}},
        {"ART",
         {"culture*", "artist*", "art", "arts", "theatre", "musique", "musical*", "spectacle*",
          "danse", "cinema", "lecture", "bibliotheque*", "creation artistique", NULL}},
        {"COM",
         {"media*", "journalis*", "communication", "radio", "presse", "information", "podcast*",
          "reportage*", "television", "journal", "education aux medias", NULL}},
        {"CON",
         {"consommation", "consommateur*", "reemploi", "reparation", "repair cafe", "ressourcerie*",
          "recyclerie*", "seconde main", "economie circulaire", "achat* responsable*",
          "commerce equitable", "epicerie* solidaire*", NULL}},
        {"DEM",
         {"democratie", "citoyennete", "citoyen*", "participation", "participati*", "concertation",
          "budget participatif", "vote", "elections", "engagement civique", "debat*", NULL}},
        {"GOU",
         {"gouvernance", "cooperative*", "scic", "scop", "societariat", "statuts",
          "gestion collective", "management", "organisation interne", "pilotage", NULL}},
        {"NUM",
         {"numerique*", "digital*", "informatique", "internet", "fablab*", "fab lab", "tiers-lieu*",
          "tiers lieu*", "logiciel*", "application mobile", "plateforme en ligne",
          "inclusion numerique", "ordinateur*", NULL}},
        {"SPO",
         {"sport*", "sportif*", "sportive*", "football", "activite physique", "club* sportif*",
          "athletisme", "natation", "randonnee*", "velo", "olympique*", NULL}},
        {"TOU",
         {"tourisme", "touristique*", "touriste*", "vacances", "sejour*", "voyage*",
          "hebergement touristique", "camping", "gite*", "ecotourisme", NULL}},
        {"FIN",
         {"finance*", "financement*", "epargne", "microcredit", "micro-credit", "pret*", "banque*",
          "investissement*", "mecenat", "crowdfunding", "financement participatif", "fonds", NULL}},
        {"PAT",
         {"patrimoine", "patrimonial*", "monument*", "chateau*", "restauration du patrimoine",
          "memoire", "histoire", "archeolog*", "musee*", "savoir-faire", "eglise*", NULL}},
};

typedef struct word {
    const char *s;
    size_t len;
} word;

static bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c == '-';
}

/* Splits folded text into words; hyphens stay inside words ("tiers-lieu") and apostrophes split
 * ("l'emploi" → "l", "emploi"), which the keywords are written for. */
static size_t split_words(const char *s, word *w, size_t max) {
    size_t n = 0;
    const char *p = s;
    while (*p && n < max) {
        while (*p && !is_word_byte((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && is_word_byte((unsigned char)*p))
            p++;
        w[n].s = start;
        w[n].len = (size_t)(p - start);
        n++;
    }
    return n;
}

/* Occurrences of keyword kw in words (capped). */
static int count_keyword(const char *kw, const word *w, size_t nw) {
    word kws[6];
    size_t nk = split_words(kw, kws, ARRAY_LEN(kws));
    if (nk == 0)
        return 0;
    int count = 0;
    for (size_t i = 0; i + nk <= nw && count < CLASSIFY_PER_KW; i++) {
        bool match = true;
        for (size_t j = 0; j < nk && match; j++) {
            const word *k = &kws[j];
            /* a '*' ends the stem of the word it follows (in multi-word keywords, every word
             * marked with '*') */
            bool star = k->s[k->len] == '*';
            if (star)
                match = w[i + j].len >= k->len && memcmp(w[i + j].s, k->s, k->len) == 0;
            else
                match = w[i + j].len == k->len && memcmp(w[i + j].s, k->s, k->len) == 0;
        }
        if (match)
            count++;
    }
    return count;
}

size_t hv_classify(const char *text, const char *codes[HV_CLASSIFY_MAX]) {
    buf_t f;
    buf_init(&f, CLASSIFY_TEXT_MAX * 2);
    size_t len = strlen(text);
    if (len > CLASSIFY_TEXT_MAX) {
        len = CLASSIFY_TEXT_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    word *w = NULL;
    size_t found = 0;
    if (!fold_text(text, len, &f))
        goto done;
    /* a word takes at least two bytes with its separator */
    size_t max_words = f.len / 2 + 1 < CLASSIFY_WORDS ? f.len / 2 + 1 : CLASSIFY_WORDS;
    if ((w = malloc(max_words * sizeof *w)) == NULL)
        goto done;
    size_t nw = split_words(buf_cstr(&f), w, max_words);
    int best[HV_CLASSIFY_MAX] = {0};
    size_t best_i[HV_CLASSIFY_MAX] = {0};
    for (size_t t = 0; t < ARRAY_LEN(themes); t++) {
        int score = 0;
        for (size_t k = 0; themes[t].keywords[k] != NULL; k++)
            score += count_keyword(themes[t].keywords[k], w, nw);
        /* insertion into the two best; ties keep table order */
        if (score > best[0]) {
            best[1] = best[0];
            best_i[1] = best_i[0];
            best[0] = score;
            best_i[0] = t;
        } else if (score > best[1]) {
            best[1] = score;
            best_i[1] = t;
        }
    }
    if (best[0] > 0)
        codes[found++] = themes[best_i[0]].code;
    if (best[1] > 0 && best[1] * 2 >= best[0])
        codes[found++] = themes[best_i[1]].code;
done:
    free(w);
    buf_free(&f);
    return found;
}
