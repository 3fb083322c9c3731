/* fletcher32.h: HDF5's Fletcher-32 checksum of a chunk, for the packer (packer.h), whose
 * direct chunk writes bypass HDF5's filter pipeline and so must append it themselves. */
#ifndef MFBO_H5_FLETCHER32_H
#define MFBO_H5_FLETCHER32_H

#include <stddef.h>
#include <stdint.h>

#define MFBO_H5_FLETCHER32_SIZE 4 /* bytes the filter appends to a chunk */

/* The checksum HDF5's Fletcher-32 filter computes over len bytes. */
uint32_t mfbo_h5_fletcher32(const void *data, size_t len);

/* Writes the checksum of data[0, len) after it, as the filter stores it (little-endian):
 * data must have room for len + MFBO_H5_FLETCHER32_SIZE bytes. */
void mfbo_h5_fletcher32_append(unsigned char *data, size_t len);

#endif
