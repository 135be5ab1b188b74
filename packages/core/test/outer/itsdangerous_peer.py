"""Python side of the live interop test: reads cases as JSON on stdin, answers on stdout.

Each case names the serializer settings and either a token to load (verify) or a value to dump
(sign). The answer is one result per case: {"value": ...} or {"error": "ExceptionName"}.
"""

import hashlib
import json
import sys

import itsdangerous

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def signer_at(timestamp):
    """A TimestampSigner whose clock is pinned, so tokens can be compared byte for byte."""

    class PinnedSigner(itsdangerous.TimestampSigner):
        def get_timestamp(self):
            return timestamp

    return PinnedSigner


def serializer_for(case):
    timestamp = case.get("timestamp")
    return itsdangerous.URLSafeTimedSerializer(
        case["secret_keys"],
        salt=case["salt"],
        signer=itsdangerous.TimestampSigner if timestamp is None else signer_at(timestamp),
        signer_kwargs={
            "digest_method": DIGESTS[case["digest"]],
            "key_derivation": case["key_derivation"],
        },
    )


def answer(case):
    serializer = serializer_for(case)
    try:
        if case["op"] == "loads":
            return {"value": serializer.loads(case["token"], max_age=case.get("max_age"))}
        return {"token": serializer.dumps(case["value"])}
    except itsdangerous.BadData as error:
        return {"error": type(error).__name__}


def main():
    cases = json.load(sys.stdin)
    json.dump([answer(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
