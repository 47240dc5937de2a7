#!/usr/bin/env python3
# The source of the ledger API's OpenAPI 3.1 document. Writes docs/openapi/ledger.json and
# Sources/Ledger/HTTP/LedgerOpenAPI.swift (served at /openapi.json) from the one description below;
# OpenAPIDocumentTests checks that both match and that every route of the router is described.
#   python3 scripts/openapi/ledger.py
import os
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import json
hexh = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
sig = {"type": "string", "pattern": "^[0-9a-f]{128}$"}
u64 = {"type": "integer", "minimum": 0, "maximum": 18446744073709551615}
i64 = {"type": "integer", "minimum": -9223372036854775808, "maximum": 9223372036854775807}
intg = {"type": "integer"}
def ref(n): return {"$ref": "#/components/schemas/" + n}
def obj(props, required=None, desc=None):
    o = {"type": "object", "properties": props, "required": list(props) if required is None else required}
    if desc: o["description"] = desc
    return o
schemas = {
  "Hash": dict(hexh, description="32 bytes as 64 lowercase hex digits"),
  "Signature": dict(sig, description="Ed25519 signature, 128 lowercase hex digits"),
  "Error": obj({"code": {"type": "string"}, "message": {"type": "string"}, "marker_index": intg}, ["code", "message"],
               "Every error answer (docs/PROTOCOL.md 7.8); marker_index only for marker.* codes"),
  "Transaction": obj({"kind": {"type": "string", "enum": ["faucet", "register_blobber", "update_blobber", "create_allocation", "submit_chain", "challenge_response", "finalize_allocation", "update_allocation", "cancel_allocation", "revoke_ticket", "peg", "issue_challenge", "challenge_timeout"]},
      "public_key": ref("Hash"), "nonce": u64, "timestamp": i64, "payload": {"type": "string", "description": "JSON text of the kind's payload (section 7.2)"},
      "signature": ref("Signature")}, ["kind", "public_key", "nonce", "timestamp", "payload"], "The signed envelope (section 7.2)"),
  "TransactionResult": obj({"balance": u64, "blobber_id": ref("Hash"), "allocation_id": ref("Hash"), "markers_accepted": intg,
      "markers_skipped": intg, "sequence": u64, "paid": u64, "pooled": u64, "challenge_id": ref("Hash"), "passed": {"type": "boolean"},
      "released": u64, "slashed": u64, "refunded": u64, "reason": {"type": "string"}}, [], "Only the fields that concern the kind are present"),
  "Receipt": obj({"hash": ref("Hash"), "status": {"type": "string", "enum": ["applied", "duplicate"]}, "block": u64, "result": ref("TransactionResult")}),
  "TransactionView": obj({"transaction": ref("Transaction"), "receipt": ref("Receipt"), "applied_at": i64}),
  "Block": obj({"height": u64, "hash": ref("Hash"), "previous_hash": ref("Hash"), "tx_root": ref("Hash"), "state_root": ref("Hash"),
      "timestamp": i64, "tx_count": {"type": "integer", "minimum": 0, "maximum": 4294967295}, "signature": ref("Signature")}),
  "Rules": obj({"faucet": {"type": "boolean"}, "faucet_max": u64, "timestamp_window_ms": i64, "challenge_timeout_ms": i64}),
  "LedgerInfo": obj({"public_key": ref("Hash"), "genesis": obj({"public_key": ref("Hash"), "rules": ref("Rules"), "timestamp": i64}), "height": u64}),
  "Blobber": obj({"id": ref("Hash"), "public_key": ref("Hash"), "url": {"type": "string"}, "capacity": u64, "used": u64,
      "read_price": u64, "write_price": u64, "region": {"type": "string"}, "stake": u64, "registered_at": i64}),
  "Account": obj({"id": ref("Hash"), "balance": u64}),
  "Allocation": obj({"id": ref("Hash"), "owner_id": ref("Hash"), "owner_key": ref("Hash"), "data_shards": intg, "parity_shards": intg,
      "size": u64, "shard_size": u64, "created_at": i64, "expiry": i64, "write_pool": u64, "finalized": {"type": "boolean"}}),
  "ChainHead": obj({"sequence": u64, "allocation_root": ref("Hash"), "chain_hash": ref("Hash"), "chain_size": u64, "timestamp": i64},
      ["sequence", "allocation_root", "chain_size", "timestamp"], "chain_hash is absent before the first marker"),
  "AllocationBlobber": obj({"allocation_id": ref("Hash"), "blobber_id": ref("Hash"), "shard_index": intg, "write_price": u64,
      "head": ref("ChainHead"), "high_water": u64, "paid": u64, "challenge_pool": u64}),
  "AllocationView": obj({"allocation": ref("Allocation"), "blobbers": {"type": "array", "items": ref("AllocationBlobber")}}),
  "AllocationPage": obj({"allocations": {"type": "array", "items": ref("Allocation")}, "next": ref("Hash")}, ["allocations"],
      "next (the after of the following page) is absent on the last page"),
  "RevokedTickets": obj({"allocation_id": ref("Hash"), "revoked": {"type": "array", "items": ref("Hash")}}),
  "Challenge": obj({"id": ref("Hash"), "allocation_id": ref("Hash"), "blobber_id": ref("Hash"), "root": ref("Hash"), "seed": ref("Hash"),
      "issued_at": i64, "deadline": i64, "status": {"type": "string", "enum": ["open", "passed", "failed", "timeout"]}}),
}
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
html = {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
def htmlop(summary, params=None, errors=("404",)):
    op = {"summary": summary, "responses": {"200": html}}
    for e in errors: op["responses"][e] = dict(html, description="An HTML page naming the error code")
    if params: op["parameters"] = params
    return {"get": op}
hashp = lambda n, d: {"name": n, "in": "path", "required": True, "description": d, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}
heightp = {"name": "height", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,20}$"}, "description": "a decimal UInt64"}
q = lambda n, d, schema=None: {"name": n, "in": "query", "required": False, "description": d, "schema": schema or {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}
bad = err("Malformed parameter (tx.malformed)")
nf = lambda c: err("Unknown (" + c + ")")
paths = {
  "/health": {"get": {"summary": "Liveness", "responses": {"200": ok(obj({"status": {"type": "string", "enum": ["ok"]}}))}}},
  "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
  "/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok({"type": "object"})}}},
  "/v1/ledger": {"get": {"summary": "The ledger's public key, genesis rules and latest height", "responses": {"200": ok(ref("LedgerInfo"))}}},
  "/v1/transactions": {"post": {"summary": "Submit a signed transaction", "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Transaction")}}},
      "responses": {"200": ok(ref("Receipt"), "Applied, or a duplicate of an applied transaction"), "400": err("Malformed"), "401": err("Missing or bad signature"),
        "403": err("Not permitted"), "404": err("Unknown account, blobber, allocation or challenge"), "409": err("Conflicts with the state"),
        "413": err("Body over --max-body"), "422": err("Refused by the rules")}}},
  "/v1/transactions/{hash}": {"get": {"summary": "A stored transaction with its receipt (a peg is read back here by its txid)", "parameters": [hashp("hash", "transaction hash, 64 hex digits")],
      "responses": {"200": ok(ref("TransactionView")), "400": bad, "404": nf("ledger.unknown_transaction")}}},
  "/v1/blocks/latest": {"get": {"summary": "The latest sealed block", "responses": {"200": ok(ref("Block"))}}},
  "/v1/blocks/{height}": {"get": {"summary": "A block", "parameters": [heightp], "responses": {"200": ok(ref("Block")), "400": bad, "404": nf("ledger.unknown_block")}}},
  "/v1/blocks/{height}/transactions": {"get": {"summary": "A block's transactions in log order (they hash to its tx_root)", "parameters": [heightp],
      "responses": {"200": ok({"type": "array", "items": ref("TransactionView")}), "400": bad, "404": nf("ledger.unknown_block")}}},
  "/v1/blobbers": {"get": {"summary": "Every registered blobber", "responses": {"200": ok({"type": "array", "items": ref("Blobber")})}}},
  "/v1/blobbers/{id}": {"get": {"summary": "A blobber", "parameters": [hashp("id", "blobber id")], "responses": {"200": ok(ref("Blobber")), "400": bad, "404": nf("ledger.unknown_blobber")}}},
  "/v1/accounts/{id}": {"get": {"summary": "An account's balance", "parameters": [hashp("id", "account id")], "responses": {"200": ok(ref("Account")), "400": bad, "404": nf("ledger.unknown_account")}}},
  "/v1/allocations": {"get": {"summary": "Allocations in id order, paged", "parameters": [q("owner", "only this client's (64 hex digits)"), q("after", "start after this id (64 hex digits)"), q("limit", "1...1000, default 100", {"type": "integer", "minimum": 1, "maximum": 1000})],
      "responses": {"200": ok(ref("AllocationPage")), "400": bad}}},
  "/v1/allocations/{id}": {"get": {"summary": "An allocation with its blobbers' heads and pools", "parameters": [hashp("id", "allocation id")],
      "responses": {"200": ok(ref("AllocationView")), "400": bad, "404": nf("ledger.unknown_allocation")}}},
  "/v1/allocations/{id}/revocations": {"get": {"summary": "The hashes of an allocation's revoked share tickets (revoke_ticket), in hash order", "parameters": [hashp("id", "allocation id")],
      "responses": {"200": ok(ref("RevokedTickets")), "400": bad, "404": nf("ledger.unknown_allocation")}}},
  "/v1/challenges": {"get": {"summary": "Challenges, oldest first", "parameters": [q("blobber", "only this blobber's (64 hex digits)"), q("status", "open, passed, failed or timeout", {"type": "string", "enum": ["open", "passed", "failed", "timeout"]})],
      "responses": {"200": ok({"type": "array", "items": ref("Challenge")}), "400": bad}}},
  "/explorer": htmlop("Explorer: latest blocks, their transactions, the supply equation", errors=()),
  "/explorer/blocks/{height}": htmlop("Explorer: a block", [heightp], ("400", "404")),
  "/explorer/transactions/{hash}": htmlop("Explorer: a transaction", [hashp("hash", "transaction hash")], ("400", "404")),
  "/explorer/allocations": htmlop("Explorer: allocations", [q("after", "start after this id")], ("400",)),
  "/explorer/allocations/{id}": htmlop("Explorer: an allocation", [hashp("id", "allocation id")], ("400", "404")),
  "/explorer/blobbers": htmlop("Explorer: blobbers", errors=()),
  "/explorer/challenges": htmlop("Explorer: challenges", errors=()),
}
doc = {"openapi": "3.1.0",
  "info": {"title": "blobnet ledger API", "version": "1", "description": "The ledger's HTTP API; docs/PROTOCOL.md section 7 is the full contract (hashes, signatures, rules). Every error answer is an Error object with a stable code."},
  "paths": paths, "components": {"schemas": schemas}}
text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
open(os.path.join(ROOT, "docs/openapi/ledger.json"), "w").write(text)
swift = '''/// The ledger API's OpenAPI 3.1 document, served at `/openapi.json`. `docs/openapi/ledger.json` is this
/// text; a test keeps the two and the router's routes in step.
enum LedgerOpenAPI {
    static let document = #"""
''' + text + '''"""#
}
'''
open(os.path.join(ROOT, "Sources/Ledger/HTTP/LedgerOpenAPI.swift"), "w").write(swift)
