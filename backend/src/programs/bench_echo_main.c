/* socialconnect-bench-echo: a bare FastCGI responder, the ceiling against which make bench reads
 * the API's cached answers. It answers every request with the same JSON bytes, read once from a
 * file, with no parsing, routing, logging, cache or database: what remains is libfcgi, nginx and
 * the loopback — the cost any FastCGI program behind this nginx pays. Not part of the service.
 *
 *   socialconnect-bench-echo SOCKET WORKERS BODY_FILE
 *
 * Forks WORKERS processes that accept on the Unix socket SOCKET; stops on SIGTERM or SIGINT. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ECHO_MAX_BODY    (16 * 1024 * 1024)
#define ECHO_MAX_WORKERS 64

/* Reads the whole file (at most ECHO_MAX_BODY bytes) into a new buffer the caller frees. */
static char *echo_read(const char *path, size_t *len) {
    char *data = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        goto failed;
    data = malloc(ECHO_MAX_BODY);
    if (data == NULL)
        goto failed;
    *len = fread(data, 1, ECHO_MAX_BODY, f);
    if (ferror(f) || !feof(f))
        goto failed;
    fclose(f);
    return data;

failed:
    free(data);
    if (f)
        fclose(f);
    return NULL;
}

static int echo_serve(int fd, const char *body, size_t len) {
    FCGX_Request fr;
    char hdr[160];
    int n = snprintf(hdr, sizeof hdr,
                     "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     len);
    if (FCGX_InitRequest(&fr, fd, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&fr) >= 0) {
        FCGX_PutStr(hdr, n, fr.out);
        FCGX_PutStr(body, (int)len, fr.out);
        FCGX_Finish_r(&fr);
    }
    return 0;
}

int main(int argc, char **argv) {
    size_t len = 0;
    int workers = argc == 4 ? atoi(argv[2]) : 0;
    if (workers < 1 || workers > ECHO_MAX_WORKERS) {
        fprintf(stderr, "usage: socialconnect-bench-echo SOCKET WORKERS(1-%d) BODY_FILE\n",
                ECHO_MAX_WORKERS);
        return 2;
    }
    char *body = echo_read(argv[3], &len);
    if (body == NULL || FCGX_Init() != 0) {
        fprintf(stderr, "socialconnect-bench-echo: cannot read %s\n", argv[3]);
        return 1;
    }
    unlink(argv[1]);
    int fd = FCGX_OpenSocket(argv[1], 128);
    if (fd < 0 || chmod(argv[1], 0666) != 0) {
        fprintf(stderr, "socialconnect-bench-echo: cannot listen on %s\n", argv[1]);
        return 1;
    }
    for (int i = 0; i < workers; i++) {
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            _exit(echo_serve(fd, body, len));
        }
    }
    /* The children stop with the parent (PR_SET_PDEATHSIG); the parent stops on a signal. */
    sigset_t stop;
    int sig;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    sigwait(&stop, &sig);
    unlink(argv[1]);
    free(body);
    return 0;
}
