/* fletcher32.c: HDF5's Fletcher-32 checksum (fletcher32.h). HDF5 keeps it internal
 * (H5_checksum_fletcher32), so this is the same algorithm as HDF5 1.10's src/H5checksum.c:
 * the data taken as big-endian 16-bit words (an odd last byte as the high byte of a word),
 * two running sums folded to 16 bits every 360 words (before they can overflow) and once
 * more at the end, sum2 << 16 | sum1. The filter (src/H5Zfletcher32.c, H5Z_filter_fletcher32)
 * appends it to the chunk with UINT32ENCODE, little-endian. tests/test_fletcher32.c checks
 * it against chunks written by HDF5's own filter. */
#include "fletcher32.h"

static uint32_t fold(uint32_t sum) { return (sum & 0xffff) + (sum >> 16); }

uint32_t mfbo_h5_fletcher32(const void *data, size_t len) {
  const unsigned char *p = data;
  uint32_t sum1 = 0, sum2 = 0;
  for (size_t words = len / 2; words > 0;) {
    size_t n = words > 360 ? 360 : words;
    words -= n;
    for (; n > 0; n--, p += 2) {
      sum1 += (uint32_t)p[0] << 8 | p[1];
      sum2 += sum1;
    }
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  if (len % 2) {
    sum1 += (uint32_t)p[0] << 8;
    sum2 += sum1;
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  return fold(sum2) << 16 | fold(sum1);
}

void mfbo_h5_fletcher32_append(unsigned char *data, size_t len) {
  uint32_t sum = mfbo_h5_fletcher32(data, len);
  for (int i = 0; i < MFBO_H5_FLETCHER32_SIZE; i++) data[len + (size_t)i] = (unsigned char)(sum >> (8 * i));
}
