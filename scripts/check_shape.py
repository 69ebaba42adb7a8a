#!/usr/bin/env python3
"""Checks the shape the code keeps (CONTRIBUTING.md): no function in src/
longer than --max-lines (120), src/cli/ at most 1,000 lines (it only binds
flags), and src/pipeline/colorizer.h (the interface alone) including at most
two project headers. Prints the longest functions with --top N.

A function is found as this code base writes one: a definition starting in
column 0 (namespaces are not indented) whose body closes with a "}" in
column 0. Lambdas count towards the function that holds them; member
functions defined inside a class body are not measured.

usage: scripts/check_shape.py [SOURCE_DIR] [--max-lines N] [--top N]
"""
import argparse
import glob
import os
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), ".."))
ap.add_argument("--max-lines", type=int, default=120)
ap.add_argument("--top", type=int, default=0)
a = ap.parse_args()
root = a.root
SKIP = ("#", "//", "namespace", "}", "using", "struct", "class", "enum", "template",
        "static_assert", "extern", "typedef")


def functions(path):
    """(lines, first line number, signature) of each function in a file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, i = [], 0
    while i < len(lines):
        line = lines[i]
        if (line and not line[0].isspace() and not line.startswith(SKIP) and "(" in line
                and not line.rstrip().endswith(";") and "=" not in line.split("(")[0]):
            j = i
            while j < len(lines) and "{" not in lines[j] and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and "{" in lines[j] and not lines[j].rstrip().endswith("}"):
                k = j + 1
                while k < len(lines) and not re.match(r"\}(\s|;|$)", lines[k]):
                    k += 1
                found.append((k - i + 1, i + 1, line.strip()))
                i = k
        i += 1
    return found


errors, all_functions = [], []
for path in sorted(glob.glob(os.path.join(root, "src", "**", "*.cc"), recursive=True) +
                   glob.glob(os.path.join(root, "src", "**", "*.h"), recursive=True)):
    rel = os.path.relpath(path, root)
    for n, first, signature in functions(path):
        all_functions.append((n, f"{rel}:{first}", signature))
        if n > a.max_lines:
            errors.append(f"{rel}:{first}: a function of {n} lines (at most {a.max_lines}): "
                          f"{signature[:70]}")
cli = sum(sum(1 for _ in open(p, encoding="utf-8"))
          for p in glob.glob(os.path.join(root, "src", "cli", "*.*")) if not p.endswith(".txt"))
if cli > 1000:
    errors.append(f"src/cli has {cli} lines (at most 1,000: it binds flags; the work is in src/app)")
includes = [l for l in open(os.path.join(root, "src", "pipeline", "colorizer.h"), encoding="utf-8")
            if re.match(r'#include "', l)]
if len(includes) > 2:
    errors.append(f"src/pipeline/colorizer.h includes {len(includes)} project headers (at most 2)")

all_functions.sort(reverse=True)
for n, where, signature in all_functions[:a.top]:
    print(f"{n:5d}  {where}  {signature[:70]}")
for e in errors:
    print(e)
if errors:
    sys.exit(f"check_shape: {len(errors)} problem(s)")
print(f"check_shape: {len(all_functions)} functions, the longest {all_functions[0][0]} lines; "
      f"src/cli {cli} lines; colorizer.h {len(includes)} project include(s)")
