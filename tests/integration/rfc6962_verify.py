#!/usr/bin/env python3
"""An independent checker of telehealthd's audit-log proofs, written from
RFC 6962 / RFC 9162 section 2.1 with nothing but hashlib, so that it shares
no code with the daemon it checks.

As a program:

    python3 rfc6962_verify.py proof.json [more.json ...]

reads what `thctl --output json audit prove EVENT_ID` or `thctl --output
json audit consistency --from M --to N` printed, checks it, and exits 0 when
every file checks out (1 otherwise, saying why). For an inclusion proof it
also checks that the leaf hash is SHA-256(0x00 || body) when the body is
given, and that the root matches the one in the signed checkpoint note. It
does not check the note's Ed25519 signature: `openssl pkeyutl -verify` with
the key from `thctl audit public-key` does that.

As a module: leaf_hash, node_hash, verify_inclusion and verify_consistency
(hashes are bytes), and check_file for a JSON file.
"""

import base64
import hashlib
import json
import sys


def leaf_hash(data):
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, tree_size, path, root):
    """RFC 9162 2.1.3.2: does `path` lead from leaf `index` to `root`?"""
    if index >= tree_size:
        return False
    fn, sn = index, tree_size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first_size, second_size, first_root, second_root, proof):
    """RFC 9162 2.1.4.2: is the tree of first_size leaves a prefix of the
    tree of second_size leaves?"""
    if first_size > second_size:
        return False
    if first_size == second_size:
        return not proof and first_root == second_root
    if first_size == 0:
        return not proof and first_root == hashlib.sha256(b"").digest()
    if not proof:
        return False
    path = list(proof)
    if first_size & (first_size - 1) == 0:  # a power of two
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def note_checkpoint(note):
    """(origin, tree size, root bytes) from the body of a checkpoint note."""
    lines = note.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)


def _note_signs(note, size, root):
    _, signed_size, signed_root = note_checkpoint(note)
    return signed_size == size and signed_root == root


def check_inclusion(document):
    """None when the inclusion proof in `document` checks out, else why not."""
    leaf = bytes.fromhex(document["leaf_hash"])
    root = bytes.fromhex(document["root_hash"])
    path = [bytes.fromhex(h) for h in document["audit_path"]]
    if "body" in document and leaf_hash(document["body"].encode("utf-8")) != leaf:
        return "the leaf hash is not SHA-256(0x00 || body)"
    if not verify_inclusion(leaf, document["leaf_index"], document["tree_size"], path, root):
        return "the audit path does not lead to the root"
    checkpoint = document.get("checkpoint")
    if checkpoint and not _note_signs(checkpoint["note"], document["tree_size"], root):
        return "the proof's tree size or root is not the one the checkpoint note signs"
    return None


def check_consistency(document):
    """None when the consistency proof in `document` checks out, else why not."""
    first = bytes.fromhex(document["from_root_hash"])
    second = bytes.fromhex(document["to_root_hash"])
    proof = [bytes.fromhex(h) for h in document["consistency_path"]]
    if not verify_consistency(document["from_tree_size"], document["to_tree_size"], first,
                              second, proof):
        return "the consistency path does not join the two roots"
    for prefix, root in (("from", first), ("to", second)):
        checkpoint = document.get(prefix + "_checkpoint")
        if checkpoint and not _note_signs(checkpoint["note"], document[prefix + "_tree_size"],
                                          root):
            return "the %s checkpoint note signs another size or root" % prefix
    return None


def check_document(document):
    if "audit_path" in document:
        return check_inclusion(document)
    if "consistency_path" in document:
        return check_consistency(document)
    return "neither an inclusion proof (audit_path) nor a consistency proof (consistency_path)"


def check_file(path):
    with open(path, encoding="utf-8") as source:
        return check_document(json.load(source))


def main(arguments):
    if not arguments:
        print("usage: rfc6962_verify.py PROOF.json [...]", file=sys.stderr)
        return 2
    failed = False
    for path in arguments:
        try:
            problem = check_file(path)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            problem = "cannot read the proof: %s" % error
        if problem:
            failed = True
            print("%s: FAILED: %s" % (path, problem), file=sys.stderr)
        else:
            print("%s: OK" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
