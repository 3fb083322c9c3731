/* plugin.c: loads a searcher type from a shared object with dlopen (include/mfbo/plugin.h). */
#include "mfbo/plugin.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

const mfbo_searcher_type *mfbo_plugin_searcher(const char *path, const char *name, char *msg,
                                               size_t size) {
  /* RTLD_LOCAL: two plugins may both define mfbo_plugin_searchers; each is asked for its own */
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(msg, size, "cannot load plugin: %s", dlerror());
    return NULL;
  }
  const int *abi = dlsym(h, "mfbo_plugin_abi");
  const mfbo_searcher_type *const *types = dlsym(h, "mfbo_plugin_searchers");
  if (!abi || !types) {
    snprintf(msg, size,
             "%s is not an mfbo plugin (it defines no %s; see mfbo/plugin.h)", path,
             abi ? "mfbo_plugin_searchers" : "mfbo_plugin_abi");
    return NULL; /* left loaded: dlclose could run code of a library that is not ours */
  }
  if (*abi != MFBO_PLUGIN_ABI) {
    snprintf(msg, size,
             "plugin %s was built against searcher interface %d, this program has %d: "
             "rebuild it against the installed headers",
             path, *abi, MFBO_PLUGIN_ABI);
    return NULL;
  }
  size_t at = 0;
  char names[256] = "";
  for (int i = 0; types[i]; i++) {
    if (types[i]->name && strcmp(types[i]->name, name) == 0) return types[i];
    if (at < sizeof names)
      at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
                             types[i]->name ? types[i]->name : "(unnamed)");
  }
  snprintf(msg, size, "plugin %s has no searcher type '%s' (it has: %s)", path, name,
           names[0] ? names : "none");
  return NULL;
}
