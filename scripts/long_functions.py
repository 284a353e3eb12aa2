#!/usr/bin/env python3
"""Functions longer than N lines (signature line to closing brace), outside #[cfg(test)] modules and synth: issue 31's measure of long functions.

Usage: python3 scripts/long_functions.py [ROOT=src] [N=100]
"""
import os, re, sys
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
res = []
for dp, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.join(dp, f)
        if 'synth' in p: continue
        lines = open(p).read().split('\n')
        # cut at first #[cfg(test)] followed by mod
        end = len(lines)
        for i, l in enumerate(lines):
            if l.strip() == '#[cfg(test)]' and i + 1 < len(lines) and re.match(r'\s*(pub )?mod ', lines[i+1]):
                end = i; break
        i = 0
        while i < end:
            m = re.match(r'^(\s*)(pub(\([^)]*\))? )?(const )?(async )?(unsafe )?fn (\w+)', lines[i])
            if m:
                indent = m.group(1); name = m.group(7)
                # find the line with opening brace at end of signature; then closing brace at same indent
                j = i
                while j < end and not lines[j].rstrip().endswith('{') and not lines[j].rstrip().endswith(';'):
                    j += 1
                if j < end and lines[j].rstrip().endswith(';'):
                    i = j + 1; continue
                k = j + 1
                while k < end and not (lines[k].startswith(indent + '}') and len(lines[k].rstrip()) == len(indent) + 1):
                    k += 1
                n = k - i + 1
                if n > N: res.append((n, name, p, i + 1))
                i = i + 1
                continue
            i += 1
res.sort(reverse=True)
for n, name, p, ln in res:
    print(f"{n:4d} {name} {p}:{ln}")
print(len(res), "functions over", N, "lines")
