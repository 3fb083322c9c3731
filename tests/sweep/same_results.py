#!/usr/bin/python3
"""same_results.py A.h5 B.h5: exit 0 if the two results files hold bit-identical /runs,
/trace and /benchmark (every dataset and attribute under it), else print what differs and
exit 1. Wall-clock data (/timing, root attributes) is not compared: it may differ."""
import sys

import h5py
import numpy as np


def same_array(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == object:  # variable-length strings: compare the values, not the pointers
        return a.tolist() == b.tolist()
    return a.tobytes() == b.tobytes()


def differences(fa, fb, name):
    a, b = fa[name], fb[name]
    if isinstance(a, h5py.Dataset):
        if not isinstance(b, h5py.Dataset) or not same_array(a[()], b[()]):
            yield name
    else:
        if set(a.keys()) != set(b.keys()):
            yield name + " (members)"
        for key in sorted(set(a.keys()) & set(b.keys())):
            yield from differences(fa, fb, name + "/" + key)
    if set(a.attrs.keys()) != set(b.attrs.keys()):
        yield name + " (attribute names)"
    for key in sorted(set(a.attrs.keys()) & set(b.attrs.keys())):
        if not same_array(a.attrs[key], b.attrs[key]):
            yield name + " attribute " + key


def main():
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        diff = [d for top in ("/runs", "/trace", "/benchmark") for d in differences(fa, fb, top)]
    for d in diff:
        print("differs:", d, file=sys.stderr)
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
