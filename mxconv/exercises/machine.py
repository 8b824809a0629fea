"""The machine's data caches, as its OS tells them (for today's exercise 6's limit on delta).

Imports no MXNet.
"""
import os
from typing import Dict

__all__ = ["cache_sizes"]


def cache_sizes() -> Dict[str, int]:
    """This machine's data cache sizes in bytes, where the OS tells them: ``{'L1d': ..., 'L2': ...}``
    (Linux's /sys/devices/system/cpu/cpu0/cache; ``os.sysconf`` elsewhere); empty where unknown."""
    sizes: Dict[str, int] = {}
    root = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        entries = []
    for entry in entries:
        try:
            with open(os.path.join(root, entry, "level")) as f:
                level = f.read().strip()
            with open(os.path.join(root, entry, "type")) as f:
                kind = f.read().strip()
            with open(os.path.join(root, entry, "size")) as f:
                text = f.read().strip()
        except OSError:
            continue
        if kind == "Instruction":
            continue
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes["L%s%s" % (level, "d" if kind == "Data" else "")] = int(digits) * scale
    for name, key in (("L1d", "SC_LEVEL1_DCACHE_SIZE"), ("L2", "SC_LEVEL2_CACHE_SIZE")):
        if name not in sizes and key in getattr(os, "sysconf_names", {}):
            try:
                value = os.sysconf(key)
            except (OSError, ValueError):
                continue
            if value > 0:
                sizes[name] = value
    return sizes
