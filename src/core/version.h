/* version.h: the git revision the binaries were built from (written at build time by
 * cmake/git_revision.cmake; "unknown" outside a git checkout, "-dirty" with uncommitted
 * changes), recorded in results files and printed by --version. */
#ifndef MFBO_VERSION_H
#define MFBO_VERSION_H

extern const char mfbo_git_revision[];

#endif
