#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Finds checks in the bats tests that can never fail.

    tests/lint-bats.py [FILE...]     (default: tests/integration/*.bats,
                                      tests/integration/*.bash and
                                      tests/dist/*.bats, tests/compat/*.bats)

Prints one line per finding, FILE:LINE: what, and exits 1 if there is any.
tests/run-all.sh runs it as one test result of make test.

bats runs a test's body under set -e, and set -e has holes; each rule below
is one of them (docs/testing.md says how to write each check instead):

  bare-negation  "! cmd" as a command of its own. set -e ignores a pipeline
                 negated with !, so "! grep -q x file" passes whatever grep
                 finds unless it happens to be the last command of the test,
                 and even then not inside a group, loop or if body. Write
                 "run ! cmd", or "if cmd; then return 1; fi" in a function.
                 "if ! cmd", "while ! cmd", "run ! cmd", "[ ! ... ]" are fine.
  unchecked-run  "run cmd" whose $status, $output or lines are never looked
                 at before the next run or the end of the test: run swallows
                 the command's failure. "run -N cmd" and "run ! cmd" check the
                 status themselves.
  cond-function  a function that is called as a condition (by wait_until,
                 if, while, until, or before && / ||) has a check that is not
                 its last command and is not joined with && or ||: set -e is
                 off inside a condition, so only the last command counts.
  local-subst    "local x=$(cmd)": local's own status (0) hides cmd's. Declare
                 first, assign after.
  skip           a test that skips: the project's tests are never skipped.

The shell is read line by line, with quoted text, comments and here-documents
blanked out first, so that a "!" in a string or in embedded Python is not
taken for a command. It is a lint, not a parser: it knows the forms these
tests use.
"""
import glob
import os
import re
import sys

# Words after which a new command begins.
STARTERS = {';', '&&', '||', '|', '{', '(', 'then', 'do', 'else', '!'}
CONDITION_OPENERS = {'if', 'elif', 'while', 'until'}
CONDITION_CLOSERS = {'then', 'do'}
CHECKS = ('[', '[[', 'test', 'grep', 'cmp', 'diff', 'run', 'python3')


def blank(lines):
    """Lines with here-document bodies, comments and quoted text blanked,
    line numbers kept."""
    out = []
    heredoc = None  # (word, strip_tabs)
    for line in lines:
        if heredoc:
            word, strip = heredoc
            if (line.lstrip('\t') if strip else line) == word:
                heredoc = None
            out.append('')
            continue
        res, i, n = [], 0, len(line)
        while i < n:
            c = line[i]
            if c == '\\' and i + 1 < n:
                res.append('__')
                i += 2
            elif c == "'" or (c == '$' and line.startswith("$'", i)):
                j = i + (2 if c == '$' else 1)
                while j < n and line[j] != "'":
                    j += 2 if (c == '$' and line[j] == '\\') else 1
                res.append('""')
                i = j + 1
            elif c == '"':
                j = i + 1
                while j < n and line[j] != '"':
                    j += 2 if line[j] == '\\' else 1
                res.append('""')
                i = j + 1
            elif c == '#' and (i == 0 or line[i - 1] in ' \t;'):
                break
            else:
                res.append(c)
                i += 1
        text = ''.join(res)
        m = re.search(r"<<(-?)\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)", line)
        if m and '<<<' not in line[m.start():m.start() + 3]:
            heredoc = (m.group(2), m.group(1) == '-')
        out.append(text)
    return out


def tokens(text):
    return re.findall(r'&&|\|\||;;|[;|&(){}]|[^\s;|&(){}]+', text)


def bare_negations(path, text):
    found = []
    in_condition = False
    prev = ';'  # the start of the file is a command start
    for no, line in enumerate(text, 1):
        toks = tokens(line)
        for k, tok in enumerate(toks):
            if tok in CONDITION_OPENERS and prev in STARTERS:
                in_condition = True
            elif tok in CONDITION_CLOSERS:
                in_condition = False
            elif tok == '!' and prev in STARTERS and prev != '!' and not in_condition:
                found.append((path, no, 'bare-negation',
                              'a bare "! cmd" never fails a bats test: use "run ! cmd" (or if ...; then false; fi)'))
            prev = tok
        # A line ends a command unless it goes on (\, &&, ||, |).
        if not line.rstrip().endswith(('\\', '&&', '||', '|')) and toks:
            prev = ';'
        elif not toks:
            prev = ';' if prev not in ('&&', '||', '|') else prev
    return found


def functions(text):
    """name -> (first body line number, [body lines]) for "name() {" ... "}"."""
    funcs, name = {}, None
    for no, line in enumerate(text, 1):
        m = re.match(r'^([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{\s*$', line)
        if m:
            name, start, body = m.group(1), no + 1, []
        elif name and line.startswith('}'):
            funcs[name] = (start, body)
            name = None
        elif name:
            body.append(line)
    return funcs


def statements(first, body):
    """Logical statements of a body: (line number, text), lines ending in
    \\, &&, || or | joined to the next."""
    out, cur, at = [], '', None
    for no, line in enumerate(body, first):
        if not line.strip() and not cur:
            continue
        if at is None:
            at = no
        cur += ' ' + line.strip()
        if not line.rstrip().endswith(('\\', '&&', '||', '|')):
            out.append((at, cur.strip()))
            cur, at = '', None
    if cur:
        out.append((at, cur.strip()))
    return out


def cond_functions(path, text, all_text):
    found = []
    funcs = functions(text)
    joined = '\n'.join(all_text)
    for name, (first, body) in funcs.items():
        n = re.escape(name)
        called_as_condition = re.search(
            r'(wait_until\s+\S+\s+%s\b|\b(if|elif|while|until)\s+(!\s+)?%s\b|'
            r'(^|[;&|{]\s*)%s\b[^\n;]*(&&|\|\|))' % (n, n, n), joined, re.M)
        if not called_as_condition:
            continue
        stmts = statements(first, body)
        # Control structures make "the last command" hard to tell: leave them.
        if any(re.match(r'(if|for|while|until|case)\b', s) for _, s in stmts):
            continue
        for no, s in stmts[:-1]:
            word = s.split()[0] if s.split() else ''
            if word in CHECKS and '||' not in s and '&&' not in s:
                found.append((path, no, 'cond-function',
                              '%s() is called as a condition, where set -e is off: this check '
                              'counts only if joined with && or "|| return 1"' % name))
    return found


def unchecked_runs(path, text, raw):
    found = []
    in_test, pending = False, None
    for no, (line, whole) in enumerate(zip(text, raw), 1):
        if re.match(r'^@test\b', line):
            in_test, pending = True, None
            continue
        if not in_test:
            continue
        if line.startswith('}'):
            if pending:
                found.append(pending)
            in_test, pending = False, None
            continue
        # Looked at in a string too ("$status"): read the line as written.
        if pending and re.search(r'\$\{?(status|output|lines|stderr|stderr_lines)\b|\$\{#(lines|stderr_lines)', whole):
            pending = None
        m = re.match(r'^\s*run\s+(\S+)', line)
        if m:
            if pending:
                found.append(pending)
            pending = None
            if not (m.group(1) == '!' or re.fullmatch(r'-[0-9]+', m.group(1))):
                pending = (path, no, 'unchecked-run',
                           'run without a look at $status/$output before the next run or the end of the test')
    return found


def line_rules(path, text):
    found = []
    for no, line in enumerate(text, 1):
        if re.search(r'(^\s*|[;&|{]\s*)local\s+[A-Za-z_][A-Za-z0-9_]*=\$\(', line):
            found.append((path, no, 'local-subst', '"local x=$(cmd)" hides cmd\'s failure: declare, then assign'))
        if re.search(r'(^\s*|[;&|{]\s*)skip\b', line):
            found.append((path, no, 'skip', 'a skipped test: the tests are never skipped'))
    return found


def main(argv):
    root = os.path.dirname(os.path.abspath(__file__))
    paths = argv or sorted(glob.glob(os.path.join(root, 'integration', '*.bats')) +
                           glob.glob(os.path.join(root, 'integration', '*.bash')) +
                           glob.glob(os.path.join(root, 'dist', '*.bats')) +
                           glob.glob(os.path.join(root, 'compat', '*.bats')))
    raw, blanked = {}, {}
    for p in paths:
        with open(p, encoding='utf-8') as f:
            raw[p] = f.read().split('\n')
        blanked[p] = blank(raw[p])
    # A function in helpers.bash may be called as a condition from any file.
    every = [l for t in blanked.values() for l in t]
    found = []
    for p, text in blanked.items():
        rel = os.path.relpath(p)
        found += bare_negations(rel, text)
        found += cond_functions(rel, text, every)
        found += unchecked_runs(rel, text, raw[p])
        found += line_rules(rel, text)
    for path, no, rule, why in sorted(found):
        print('%s:%d: %s: %s' % (path, no, rule, why))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
