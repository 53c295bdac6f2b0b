/* socialconnect-harvest: brings the platforms described by source documents into the catalogue.
 * Usage is printed by "socialconnect-harvest help"; docs/sources.md describes the commands. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *to) {
    fputs("usage: socialconnect-harvest load FILE…\n"
          "       socialconnect-harvest test SLUG [--limit N]\n"
          "       socialconnect-harvest run SLUG… | --all\n"
          "       socialconnect-harvest daemon\n",
          to);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
