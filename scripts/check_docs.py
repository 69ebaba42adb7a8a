#!/usr/bin/env python3
"""Checks the documentation as a map: README.md at most 150 lines, every
relative link and image in README.md, CONTRIBUTING.md, CHANGELOG.md,
docs/*.md and experiments/README.md points at a file that exists (and an
anchor at a heading there), and none points at a tracker's "issue N".

usage: scripts/check_docs.py [SOURCE_DIR]
"""
import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
errors = []


def anchors(path):
    out = set()
    with open(path) as f:
        for line in f:
            m = re.match(r"#+ (.*)", line)
            if m:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
                out.add(slug)
    return out


readme = os.path.join(root, "README.md")
with open(readme) as f:
    n = sum(1 for _ in f)
if n > 150:
    errors.append(f"README.md has {n} lines (at most 150: it is a map; put the rest in docs/)")

pages = [readme] + [os.path.join(root, p) for p in ("CONTRIBUTING.md", "CHANGELOG.md",
                                                      "experiments/README.md")]
pages += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
for page in pages:
    rel = os.path.relpath(page, root)
    text = open(page).read()
    for m in re.finditer(r"\b[Ii]ssues? #?[0-9]+", text):
        line = text.count("\n", 0, m.start()) + 1
        errors.append(f"{rel}:{line}: '{m.group(0)}' points at a tracker not in the repository")
    for m in re.finditer(r"!?\[[^\]]*\]\(([^)\s]+)\)", text):
        target = m.group(1)
        if re.match(r"(https?:|mailto:)", target):
            continue
        line = text.count("\n", 0, m.start()) + 1
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(full):
            errors.append(f"{rel}:{line}: link to '{target}': no such file")
        elif anchor and full.endswith(".md") and anchor not in anchors(full):
            errors.append(f"{rel}:{line}: link to '{target}': no such heading")

for e in errors:
    print(e)
if errors:
    sys.exit(f"check_docs: {len(errors)} problem(s)")
print(f"check_docs: {len(pages)} pages, README {n} lines")
