/* plugin.h: searchers built outside the tree, loaded by mfbo-sweep at run time. A job names
 * the shared object in an algorithm's section:
 *
 *     [algorithm mine]
 *     type = greedy
 *     plugin = libgreedy.so      ; relative to the job file's directory
 *
 * and the program loads it with dlopen (as Open MPI and Slurm load theirs) and takes the
 * type of that name from its table. The plugin is compiled against the installed headers
 * (-fPIC -shared) and is not linked with libmfbo: the functions it calls (mfbo_batch_push,
 * the settings getters, GSL) are the program's own. It defines, once:
 *
 *     #include <mfbo/plugin.h>
 *     MFBO_PLUGIN_ABI_DEFINE;
 *     const mfbo_searcher_type *const mfbo_plugin_searchers[] = {&greedy_searcher, NULL};
 *
 * A plugin runs as the program, with its privileges: a job file that names one is code.
 * Public (installed, include/mfbo): for a searcher built outside the tree as a shared object (the
 * ABI and the type table). */
#ifndef MFBO_PLUGIN_H
#define MFBO_PLUGIN_H

#include "mfbo/searcher.h"

/* The version of the searcher interface (mfbo_searcher_type, mfbo_batch, the settings and
 * space functions). A plugin built against another one is refused when a job loads it. */
#define MFBO_PLUGIN_ABI 1

/* What a plugin defines: the interface version it was compiled against ... */
extern const int mfbo_plugin_abi;
#define MFBO_PLUGIN_ABI_DEFINE const int mfbo_plugin_abi = MFBO_PLUGIN_ABI
/* ... and its searcher types, NULL-terminated. */
extern const mfbo_searcher_type *const mfbo_plugin_searchers[];

/* The searcher type called name in the plugin at path (already resolved by the caller);
 * NULL with msg (size bytes) set to what went wrong: the file cannot be loaded, is not a
 * plugin, was built against another interface version, or has no such type (msg lists
 * those it has). The plugin stays loaded until the program exits. */
const mfbo_searcher_type *mfbo_plugin_searcher(const char *path, const char *name, char *msg,
                                               size_t size);

#endif
