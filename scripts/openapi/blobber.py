#!/usr/bin/env python3
# The source of the blobber API's OpenAPI 3.1 document. Writes docs/openapi/blobber.json and
# Sources/Blobber/HTTP/BlobberOpenAPI.swift (served at /openapi.json) from the one description below;
# BlobberOpenAPITests checks that both match and that every route of the router is described.
# The route table is StorageProtocol's BlobberRoute, the bodies are in Sources/StorageProtocol/BlobberAPI,
# the codes in docs/PROTOCOL.md section 8 ("Blobber error codes").
#   python3 scripts/openapi/blobber.py
import json
import os
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
hexh = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
sig = {"type": "string", "pattern": "^[0-9a-f]{128}$"}
u64 = {"type": "integer", "minimum": 0, "maximum": 18446744073709551615}
i64 = {"type": "integer", "minimum": -9223372036854775808, "maximum": 9223372036854775807}
intg = {"type": "integer", "minimum": 0}
string = {"type": "string"}
def ref(n): return {"$ref": "#/components/schemas/" + n}
def obj(props, required=None, desc=None):
    o = {"type": "object", "properties": props, "required": list(props) if required is None else required}
    if desc: o["description"] = desc
    return o
def array(items): return {"type": "array", "items": items}
def dictionary(values): return {"type": "object", "additionalProperties": values}
schemas = {
  "Hash": dict(hexh, description="32 bytes as 64 lowercase hex digits"),
  "Signature": dict(sig, description="Ed25519 signature, 128 lowercase hex digits"),
  "Error": obj({"code": string, "message": string}, desc="Every error answer: a stable code (docs/PROTOCOL.md section 8, \"Blobber error codes\") and a text for people"),
  "BlobberInfo": obj({"blobber_id": ref("Hash"), "public_key": ref("Hash"), "capacity": u64, "used": u64, "region": string}),
  "UploadStatus": obj({"upload_id": string, "received": u64, "complete": {"type": "boolean"}, "shard_root": ref("Hash"), "block_count": u64},
      ["upload_id", "received", "complete"], "shard_root and block_count only when complete"),
  "Dropped": obj({"dropped": string}),
  "FileEntry": obj({"path": string, "size": i64, "content_hash": ref("Hash"), "shard_root": ref("Hash"), "block_count": u64,
      "encryption": {"type": "string", "description": "hex of the encryption header (section 10.4); empty when not encrypted"},
      "created_at": i64, "updated_at": i64}, ["path", "size", "content_hash", "shard_root", "block_count", "created_at", "updated_at"]),
  "WriteMarker": obj({"allocation_id": ref("Hash"), "blobber_id": ref("Hash"), "client_id": ref("Hash"), "sequence": u64,
      "allocation_root": ref("Hash"), "previous_allocation_root": ref("Hash"), "file_meta_root": ref("Hash"), "size": i64,
      "chain_size": u64, "chain_hash": ref("Hash"), "timestamp": i64, "signature": ref("Signature")},
      desc="Section 6; signed by the allocation owner"),
  "TrieProof": obj({"steps": array(obj({"split_bit": intg, "sibling_hash": ref("Hash"), "sibling_blocks": u64})),
      "leaf": {"type": ["object", "null"]}}, ["steps"], "Section 4.2.1"),
  "BlobberHead": obj({"sequence": u64, "allocation_root": ref("Hash"), "file_meta_root": ref("Hash"), "chain_hash": ref("Hash"),
      "chain_size": u64, "timestamp": i64}, ["sequence", "allocation_root", "file_meta_root", "chain_size", "timestamp"],
      "chain_hash is absent before the first marker"),
  "ProofsRequest": obj({"paths": dict(array(string), maxItems=10000)}),
  "ProofsResponse": obj({"head": ref("BlobberHead"), "marker": ref("WriteMarker"), "proofs": dictionary(ref("TrieProof")),
      "meta_proofs": dictionary(ref("TrieProof"))}, ["head", "proofs", "meta_proofs"], "marker is absent before the first commit"),
  "CommitChange": {"oneOf": [
      obj({"op": {"const": "put"}, "upload_id": string, "entry": ref("FileEntry")}),
      obj({"op": {"const": "delete"}, "path": string}),
      obj({"op": {"const": "rename"}, "from": string, "entry": ref("FileEntry")})]},
  "CommitRequest": obj({"changes": array(ref("CommitChange")), "marker": ref("WriteMarker")}),
  "CommitResponse": obj({"sequence": u64, "allocation_root": ref("Hash"), "file_meta_root": ref("Hash")}),
  "RollbackRequest": obj({"marker": ref("WriteMarker")}),
  "AllocationState": obj({"head": ref("BlobberHead"), "marker": ref("WriteMarker"), "stored_bytes": u64, "file_count": intg,
      "pending_markers": intg, "can_undo": {"type": "boolean"}}, ["head", "stored_bytes", "file_count", "pending_markers", "can_undo"],
      "marker is absent before the first commit"),
  "TransformedCapsule": obj({"e": ref("Hash"), "x": ref("Hash")}, desc="Section 10.12: E' = rk·E and X, for a ticket's reader"),
  "FileResponse": obj({"entry": ref("FileEntry"), "proof": ref("TrieProof"), "marker": ref("WriteMarker"),
      "capsule": ref("TransformedCapsule")}, ["entry", "proof"],
      "capsule only for a ticket whose re-encryption key this blobber holds, on a version-2 encrypted entry"),
  "ShareTicket": obj({"allocation_id": ref("Hash"), "path": string, "owner_id": ref("Hash"), "recipient_id": ref("Hash"),
      "expiry": i64, "signature": ref("Signature")}, desc="Section 2, \"Share tickets\""),
  "ReencryptionKeyRequest": obj({"ticket": ref("ShareTicket"), "x": ref("Hash"), "rk": ref("Hash")},
      desc="Section 10.12: X = x·G and rk = a·d⁻¹ for the ticket's reader"),
  "ReencryptionKeyResponse": obj({"ticket_hash": ref("Hash")}),
  "ListResponse": obj({"path": string, "files": array(ref("FileEntry")), "directories": array(string)}),
}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
def err(codes): return {"description": ", ".join("`%s`" % c for c in codes), "content": {"application/json": {"schema": ref("Error")}}}

# The five request-signature headers (section 2, "Signed requests"), on every route under /v1/allocations.
signed = [
  ("x-blob-key", "hex Ed25519 public key of the signer"),
  ("x-blob-time", "Unix milliseconds when the request was signed (decimal)"),
  ("x-blob-nonce", "16 hex digits, fresh for every request"),
  ("x-blob-body-sha256", "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)"),
  ("x-blob-signature", "hex Ed25519 signature over the request hash"),
]
auth_headers = [{"name": n, "in": "header", "required": True, "description": d, "schema": string} for n, d in signed]
allocation = {"name": "a", "in": "path", "required": True, "description": "allocation id, 64 hex digits (else request.malformed)", "schema": string}
upload = {"name": "u", "in": "path", "required": True, "description": "upload id, 1 to 64 of [A-Za-z0-9_-] (else upload.bad_id)", "schema": string}
ticket = {"name": "x-blob-ticket", "in": "header", "required": False, "description": "a reader's share ticket: hex of its JSON", "schema": string}
def query(name, desc, required=False, schema=None):
    return {"name": name, "in": "query", "required": required, "description": desc, "schema": schema or string}

# What every signed route can answer besides its own codes: the checks of "Authentication" in their order.
common = {
  "400": ["request.malformed", "auth.body_digest_mismatch", "auth.body_not_signed"],
  "401": ["auth.missing", "auth.malformed", "auth.stale", "auth.bad_signature", "auth.replayed"],
  "403": ["auth.not_owner", "allocation.not_a_blobber"],
  "404": ["allocation.unknown"],
  "410": ["allocation.expired"],
  "500": ["storage.io", "storage.corrupt"],
  "503": ["ledger.unreachable"],
}
def signed_op(summary, own, ok_response, params=(), body=None, ticket_ok=False):
    codes = {status: list(c) for status, c in common.items()}
    for status, c in own.items(): codes.setdefault(status, []).extend(c)
    if ticket_ok: codes["403"].append("auth.bad_ticket")
    op = {"summary": summary, "security": [{"signedRequest": []}],
          "parameters": [allocation] + list(params) + auth_headers + ([ticket] if ticket_ok else []),
          "responses": dict({"200": ok_response}, **{s: err(c) for s, c in sorted(codes.items())})}
    if body: op["requestBody"] = {"required": True, "content": body}
    return op
def json_body(name): return {"application/json": {"schema": ref(name)}}
too_large = {"413": ["request.too_large"]}
path_q = query("path", "a file's path (percent-encoded; section 8, \"Reads\")", True)

paths = {
  "/health": {"get": {"summary": "Liveness", "responses": {"200": ok(obj({"status": {"type": "string", "enum": ["ok"]}}))}}},
  "/metrics": {"get": {"summary": "Prometheus metrics (section 8, \"Metrics\")",
      "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": string}}},
                    "500": err(["storage.io"])}}},
  "/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok({"type": "object"})}}},
  "/v1/info": {"get": {"summary": "The blobber's id, key, capacity, bytes used and region", "responses": {"200": ok(ref("BlobberInfo")), "500": err(["storage.io"])}}},
  "/v1/allocations/{a}/uploads/{u}": {
    "put": signed_op("Stream shard bytes into a staged upload", {
        "400": ["upload.bad_id", "upload.bad_length"], "404": [], "409": ["allocation.capacity_exceeded", "upload.offset_mismatch", "upload.busy"],
        "413": ["upload.too_large"]}, ok(ref("UploadStatus")),
        [upload, query("offset", "the staged upload's received bytes (0 for a new one)", schema=u64),
         {"name": "x-blob-shard-size", "in": "header", "required": True, "description": "the whole shard's length, a positive multiple of 65536", "schema": string}],
        {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}),
    "get": signed_op("A staged upload's state, for resuming", {"400": ["upload.bad_id"], "404": ["upload.unknown"]}, ok(ref("UploadStatus")), [upload]),
    "delete": signed_op("Drop a staged upload", {"400": ["upload.bad_id"], "404": ["upload.unknown"], "409": ["upload.busy"]}, ok(ref("Dropped")), [upload]),
  },
  "/v1/allocations/{a}/proofs": {"post": signed_op("The head and trie proofs for paths", dict(too_large, **{"400": ["path.invalid"]}),
      ok(ref("ProofsResponse")), body=json_body("ProofsRequest"))},
  "/v1/allocations/{a}/commit": {"post": signed_op("Apply changes under a signed write marker", dict(too_large, **{
      "400": ["path.invalid", "commit.upload_mismatch", "commit.rename_mismatch", "commit.duplicate_path", "commit.empty"],
      "404": ["upload.unknown", "commit.not_found"], "409": ["upload.incomplete", "allocation.capacity_exceeded", "marker.*"]}),
      ok(ref("CommitResponse")), body=json_body("CommitRequest"))},
  "/v1/allocations/{a}/rollback": {"post": signed_op("Undo the latest commit under a signed rollback marker", dict(too_large, **{
      "409": ["rollback.nothing_to_undo", "marker.*"]}), ok(ref("CommitResponse")), body=json_body("RollbackRequest"))},
  "/v1/allocations/{a}/reencryption-keys": {"post": signed_op("Register a share ticket's re-encryption key (section 10.12)",
      dict(too_large, **{"400": ["share.bad_key"], "403": ["auth.bad_ticket"]}), ok(ref("ReencryptionKeyResponse")),
      body=json_body("ReencryptionKeyRequest"))},
  "/v1/allocations/{a}/state": {"get": signed_op("Head, latest marker, stored bytes", {}, ok(ref("AllocationState")))},
  "/v1/allocations/{a}/file": {"get": signed_op("A file entry with its trie proof and the latest marker",
      {"400": ["path.invalid"], "404": ["read.not_found"]}, ok(ref("FileResponse")), [path_q], ticket_ok=True)},
  "/v1/allocations/{a}/list": {"get": signed_op("The entries directly under a directory",
      {"400": ["path.invalid"]}, ok(ref("ListResponse")), [query("path", "a directory, with or without its final /", True)], ticket_ok=True)},
  "/v1/allocations/{a}/blocks": {"get": signed_op("Blocks [start, start+count) of a file's shard with a range proof",
      {"400": ["path.invalid", "read.bad_range"], "404": ["read.not_found"]},
      {"description": "The raw blocks", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
       "headers": {"x-blob-shard-root": {"schema": hexh, "description": "the shard root"},
                   "x-blob-block-count": {"schema": string, "description": "the shard's block count (decimal)"},
                   "x-blob-range-proof": {"schema": string, "description": "hex of the concatenated range-proof hashes (section 3.2)"}}},
      [path_q, query("start", "first block (default 0)", schema=u64), query("count", "1 to 256 blocks (default 1)", schema=u64)], ticket_ok=True)},
}
doc = {"openapi": "3.1.0",
  "info": {"title": "blobnet blobber API", "version": "1",
    "description": "The blobber's HTTP API; docs/PROTOCOL.md section 8 is the full contract (request signatures, commit rules, proofs). Every error answer is an Error object with a stable code; each response lists the codes it can carry."},
  "paths": paths,
  "components": {"schemas": schemas, "securitySchemes": {"signedRequest": {"type": "apiKey", "in": "header", "name": "x-blob-signature",
    "description": "With x-blob-key, x-blob-time, x-blob-nonce and x-blob-body-sha256: an Ed25519 signature over the request hash (docs/PROTOCOL.md section 2, \"Signed requests\")"}}}}
text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
open(os.path.join(ROOT, "docs/openapi/blobber.json"), "w").write(text)
swift = '''/// The blobber API's OpenAPI 3.1 document, served at `/openapi.json`. `docs/openapi/blobber.json` is this
/// text (both written by `python3 scripts/openapi/blobber.py`); a test keeps the two and the router's routes
/// in step.
enum BlobberOpenAPI {
    static let document = #"""
''' + text + '''"""#
}
'''
open(os.path.join(ROOT, "Sources/Blobber/HTTP/BlobberOpenAPI.swift"), "w").write(swift)
