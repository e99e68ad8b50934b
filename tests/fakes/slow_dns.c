// A name resolver that hangs, for the e2e test of the upstream connect timeout: preloaded
// into the gateway (LD_PRELOAD), it makes getaddrinfo of any name ending in
// ".slow-dns.test" block for SLOW_DNS_SECONDS (default 3) and then fail, as a resolver whose
// server never answers does; every other name goes to the real getaddrinfo.
// Built by the test itself: cc -shared -fPIC -o slow_dns.so slow_dns.c -ldl

#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*getaddrinfo_fn)(const char*, const char*, const struct addrinfo*,
                              struct addrinfo**);

static int is_slow(const char* node) {
  static const char kSuffix[] = ".slow-dns.test";
  if (!node) return 0;
  size_t length = strlen(node), suffix = sizeof(kSuffix) - 1;
  return length >= suffix && strcmp(node + length - suffix, kSuffix) == 0;
}

int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                struct addrinfo** result) {
  if (is_slow(node)) {
    const char* seconds = getenv("SLOW_DNS_SECONDS");
    struct timespec pause = {seconds ? atoi(seconds) : 3, 0};
    while (nanosleep(&pause, &pause) != 0) {
    }
    return EAI_AGAIN;
  }
  getaddrinfo_fn real = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
  return real(node, service, hints, result);
}
