#!/usr/bin/env python3
"""tests/mail/check-mail.py FILE... — what a standard mail library makes of the
messages guichet-mail send wrote: each is parsed with Python's email package
(policy=default, the RFC 5322/6532 parser, SMTPUTF8 when asked), and every
defect it registers, every line past 998 characters and every header line
past 78 that could have been folded is reported on stderr (exit 1). On
stdout, one JSON object per message: the headers read back (names and
addresses apart), the text of each part, the attachments' names. Used by
tests/mail/send.sh."""

import email
import email.policy
import json
import sys


def defects_of(msg):
    """Every defect of the message, of its parts and of their headers."""
    found = []
    for part in msg.walk():
        found += [type(d).__name__ for d in part.defects]
        for name, value in part.items():
            found += [f"{name}: {type(d).__name__}" for d in getattr(value, "defects", ())]
    return found


def line_problems(raw):
    """Lines over 998 octets anywhere; header lines over 78 that hold a fold point."""
    problems = []
    head, _, _ = raw.partition(b"\r\n\r\n")
    for i, line in enumerate(raw.split(b"\r\n")):
        if len(line) > 998:
            problems.append(f"line {i + 1}: {len(line)} octets, over 998")
    for i, line in enumerate(head.split(b"\r\n")):
        if b"\n" in line or b"\r" in line:
            problems.append(f"header line {i + 1}: a bare CR or LF")
        if len(line) <= 78:
            continue
        # Past 78 only when what follows the name (or the fold) is one token.
        if line[:1] in (b" ", b"\t"):
            content = line.lstrip(b" \t")
        else:
            content = line.partition(b":")[2].lstrip(b" ")
        if b" " in content:
            problems.append(f"header line {i + 1}: {len(line)} characters, over 78: {line[:60]!r}")
    return problems


def addresses(header):
    if header is None:
        return []
    return [{"name": a.display_name, "addr": a.addr_spec} for a in header.addresses]


def summary(msg):
    parts = {}
    attachments = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            attachments.append({"name": part.get_filename(), "type": part.get_content_type(),
                                "size": len(part.get_payload(decode=True) or b"")})
        else:
            parts[part.get_content_type()] = part.get_content()
    return {
        "from": addresses(msg["From"]),
        "to": addresses(msg["To"]),
        "cc": addresses(msg["Cc"]),
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "message_id": str(msg["Message-ID"]) if msg["Message-ID"] is not None else None,
        "content_type": msg.get_content_type(),
        "parts": parts,
        "attachments": attachments,
    }


def main(files):
    bad = 0
    policy = email.policy.default
    for name in files:
        if name == "--smtputf8":
            policy = email.policy.SMTPUTF8
            continue
        with open(name, "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=policy)
        problems = defects_of(msg) + line_problems(raw)
        for p in problems:
            print(f"{name}: {p}", file=sys.stderr)
        bad += bool(problems)
        print(json.dumps(summary(msg), ensure_ascii=False))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
