#!/usr/bin/env python3
# check-po.py: every catalogue compiles, and is complete against the strings in the sources
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Extracts the strings of po/POTFILES afresh (as meson's glib preset
# does), merges each language into a copy, and reports per language whether
# `msgfmt --check` passes and whether any string is untranslated or fuzzy.
import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
]


def run(*args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def main():
    srcdir = sys.argv[1]
    podir = os.path.join(srcdir, "po")
    with open(os.path.join(podir, "LINGUAS"), encoding="utf-8") as f:
        languages = [w for line in f if not line.startswith("#") for w in line.split()]

    print(f"1..{1 + 2 * len(languages)}")
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "access-manager.pot")
        files = os.path.join(tmp, "POTFILES")
        with open(os.path.join(podir, "POTFILES"), encoding="utf-8") as f, open(files, "w") as out:
            out.writelines(l for l in f if l.strip() and not l.startswith("#"))
        r = run("xgettext", "--package-name=access-manager", "-D", srcdir,
                "--files-from", files, "-o", pot, *XGETTEXT_ARGS)
        n += 1
        if r.returncode != 0 or not os.path.exists(pot):
            print(f"not ok {n} - extract the strings\n# {r.stderr}")
            return
        with open(pot, encoding="utf-8") as f:
            n_strings = len(re.findall(r"^msgid ", f.read(), re.M)) - 1
        print(f"ok {n} - {n_strings} strings extracted")

        for lang in languages:
            po = os.path.join(podir, f"{lang}.po")
            n += 1
            r = run("msgfmt", "--check", "-o", os.devnull, po)
            print(f"{'ok' if r.returncode == 0 else 'not ok'} {n} - {lang}.po compiles with msgfmt --check")
            if r.returncode != 0:
                print("# " + r.stderr.replace("\n", "\n# "))

            merged = os.path.join(tmp, f"{lang}.po")
            run("msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, po, pot)
            r = run("msgfmt", "--check", "--statistics", "-o", os.devnull, merged)
            stats = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
            n += 1
            complete = r.returncode == 0 and "untranslated" not in stats and "fuzzy" not in stats
            print(f"{'ok' if complete else 'not ok'} {n} - {lang}.po translates every string: {stats}")
            if not complete:
                r = run("msgattrib", "--untranslated", "--no-obsolete", merged)
                print("# " + r.stdout.replace("\n", "\n# "))


main()
