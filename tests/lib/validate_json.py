#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate every line of ipctrace's JSON outputs against the schema.

usage: validate_json.py FILE...

Each non-empty line of each FILE must be one JSON value that
docs/ipctrace-json.schema.json accepts (a frame, an event or a tour stop).
Prints each failure as FILE:LINE: reason; exits 1 on any, and when no line
was checked (a test that checks nothing must fail)."""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                      "ipctrace-json.schema.json")


def main():
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    checked = failed = 0
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                checked += 1
                errors = list(validator.iter_errors(json.loads(line)))
                if errors:
                    failed += 1
                    best = jsonschema.exceptions.best_match(errors)
                    where = "/".join(str(p) for p in best.absolute_path)
                    print(f"{path}:{n}: {where}: {best.message}"[:400])
    print(f"checked {checked} lines: {failed} invalid")
    sys.exit(1 if failed or not checked else 0)


if __name__ == "__main__":
    main()
