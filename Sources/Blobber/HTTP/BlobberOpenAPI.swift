/// The blobber API's OpenAPI 3.1 document, served at `/openapi.json`. `docs/openapi/blobber.json` is this
/// text (both written by `python3 scripts/openapi/blobber.py`); a test keeps the two and the router's routes
/// in step.
enum BlobberOpenAPI {
    static let document = #"""
{
  "components": {
    "schemas": {
      "AllocationState": {
        "description": "marker is absent before the first commit",
        "properties": {
          "can_undo": {
            "type": "boolean"
          },
          "file_count": {
            "minimum": 0,
            "type": "integer"
          },
          "head": {
            "$ref": "#/components/schemas/BlobberHead"
          },
          "marker": {
            "$ref": "#/components/schemas/WriteMarker"
          },
          "pending_markers": {
            "minimum": 0,
            "type": "integer"
          },
          "stored_bytes": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "head",
          "stored_bytes",
          "file_count",
          "pending_markers",
          "can_undo"
        ],
        "type": "object"
      },
      "BlobberHead": {
        "description": "chain_hash is absent before the first marker",
        "properties": {
          "allocation_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "chain_hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "chain_size": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "file_meta_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "sequence": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "timestamp": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          }
        },
        "required": [
          "sequence",
          "allocation_root",
          "file_meta_root",
          "chain_size",
          "timestamp"
        ],
        "type": "object"
      },
      "BlobberInfo": {
        "properties": {
          "blobber_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "capacity": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "public_key": {
            "$ref": "#/components/schemas/Hash"
          },
          "region": {
            "type": "string"
          },
          "used": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "blobber_id",
          "public_key",
          "capacity",
          "used",
          "region"
        ],
        "type": "object"
      },
      "CommitChange": {
        "oneOf": [
          {
            "properties": {
              "entry": {
                "$ref": "#/components/schemas/FileEntry"
              },
              "op": {
                "const": "put"
              },
              "upload_id": {
                "type": "string"
              }
            },
            "required": [
              "op",
              "upload_id",
              "entry"
            ],
            "type": "object"
          },
          {
            "properties": {
              "op": {
                "const": "delete"
              },
              "path": {
                "type": "string"
              }
            },
            "required": [
              "op",
              "path"
            ],
            "type": "object"
          },
          {
            "properties": {
              "entry": {
                "$ref": "#/components/schemas/FileEntry"
              },
              "from": {
                "type": "string"
              },
              "op": {
                "const": "rename"
              }
            },
            "required": [
              "op",
              "from",
              "entry"
            ],
            "type": "object"
          }
        ]
      },
      "CommitRequest": {
        "properties": {
          "changes": {
            "items": {
              "$ref": "#/components/schemas/CommitChange"
            },
            "type": "array"
          },
          "marker": {
            "$ref": "#/components/schemas/WriteMarker"
          }
        },
        "required": [
          "changes",
          "marker"
        ],
        "type": "object"
      },
      "CommitResponse": {
        "properties": {
          "allocation_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "file_meta_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "sequence": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "sequence",
          "allocation_root",
          "file_meta_root"
        ],
        "type": "object"
      },
      "Dropped": {
        "properties": {
          "dropped": {
            "type": "string"
          }
        },
        "required": [
          "dropped"
        ],
        "type": "object"
      },
      "Error": {
        "description": "Every error answer: a stable code (docs/PROTOCOL.md section 8, \"Blobber error codes\") and a text for people",
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        },
        "required": [
          "code",
          "message"
        ],
        "type": "object"
      },
      "FileEntry": {
        "properties": {
          "block_count": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "content_hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "created_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "encryption": {
            "description": "hex of the encryption header (section 10.4); empty when not encrypted",
            "type": "string"
          },
          "path": {
            "type": "string"
          },
          "shard_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "size": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "updated_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          }
        },
        "required": [
          "path",
          "size",
          "content_hash",
          "shard_root",
          "block_count",
          "created_at",
          "updated_at"
        ],
        "type": "object"
      },
      "FileResponse": {
        "description": "capsule only for a ticket whose re-encryption key this blobber holds, on a version-2 encrypted entry",
        "properties": {
          "capsule": {
            "$ref": "#/components/schemas/TransformedCapsule"
          },
          "entry": {
            "$ref": "#/components/schemas/FileEntry"
          },
          "marker": {
            "$ref": "#/components/schemas/WriteMarker"
          },
          "proof": {
            "$ref": "#/components/schemas/TrieProof"
          }
        },
        "required": [
          "entry",
          "proof"
        ],
        "type": "object"
      },
      "Hash": {
        "description": "32 bytes as 64 lowercase hex digits",
        "pattern": "^[0-9a-f]{64}$",
        "type": "string"
      },
      "ListResponse": {
        "properties": {
          "directories": {
            "items": {
              "type": "string"
            },
            "type": "array"
          },
          "files": {
            "items": {
              "$ref": "#/components/schemas/FileEntry"
            },
            "type": "array"
          },
          "path": {
            "type": "string"
          }
        },
        "required": [
          "path",
          "files",
          "directories"
        ],
        "type": "object"
      },
      "ProofsRequest": {
        "properties": {
          "paths": {
            "items": {
              "type": "string"
            },
            "maxItems": 10000,
            "type": "array"
          }
        },
        "required": [
          "paths"
        ],
        "type": "object"
      },
      "ProofsResponse": {
        "description": "marker is absent before the first commit",
        "properties": {
          "head": {
            "$ref": "#/components/schemas/BlobberHead"
          },
          "marker": {
            "$ref": "#/components/schemas/WriteMarker"
          },
          "meta_proofs": {
            "additionalProperties": {
              "$ref": "#/components/schemas/TrieProof"
            },
            "type": "object"
          },
          "proofs": {
            "additionalProperties": {
              "$ref": "#/components/schemas/TrieProof"
            },
            "type": "object"
          }
        },
        "required": [
          "head",
          "proofs",
          "meta_proofs"
        ],
        "type": "object"
      },
      "ReencryptionKeyRequest": {
        "description": "Section 10.12: X = x\u00b7G and rk = a\u00b7d\u207b\u00b9 for the ticket's reader",
        "properties": {
          "rk": {
            "$ref": "#/components/schemas/Hash"
          },
          "ticket": {
            "$ref": "#/components/schemas/ShareTicket"
          },
          "x": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "ticket",
          "x",
          "rk"
        ],
        "type": "object"
      },
      "ReencryptionKeyResponse": {
        "properties": {
          "ticket_hash": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "ticket_hash"
        ],
        "type": "object"
      },
      "RollbackRequest": {
        "properties": {
          "marker": {
            "$ref": "#/components/schemas/WriteMarker"
          }
        },
        "required": [
          "marker"
        ],
        "type": "object"
      },
      "ShareTicket": {
        "description": "Section 2, \"Share tickets\"",
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "expiry": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "owner_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "path": {
            "type": "string"
          },
          "recipient_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "signature": {
            "$ref": "#/components/schemas/Signature"
          }
        },
        "required": [
          "allocation_id",
          "path",
          "owner_id",
          "recipient_id",
          "expiry",
          "signature"
        ],
        "type": "object"
      },
      "Signature": {
        "description": "Ed25519 signature, 128 lowercase hex digits",
        "pattern": "^[0-9a-f]{128}$",
        "type": "string"
      },
      "TransformedCapsule": {
        "description": "Section 10.12: E' = rk\u00b7E and X, for a ticket's reader",
        "properties": {
          "e": {
            "$ref": "#/components/schemas/Hash"
          },
          "x": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "e",
          "x"
        ],
        "type": "object"
      },
      "TrieProof": {
        "description": "Section 4.2.1",
        "properties": {
          "leaf": {
            "type": [
              "object",
              "null"
            ]
          },
          "steps": {
            "items": {
              "properties": {
                "sibling_blocks": {
                  "maximum": 18446744073709551615,
                  "minimum": 0,
                  "type": "integer"
                },
                "sibling_hash": {
                  "$ref": "#/components/schemas/Hash"
                },
                "split_bit": {
                  "minimum": 0,
                  "type": "integer"
                }
              },
              "required": [
                "split_bit",
                "sibling_hash",
                "sibling_blocks"
              ],
              "type": "object"
            },
            "type": "array"
          }
        },
        "required": [
          "steps"
        ],
        "type": "object"
      },
      "UploadStatus": {
        "description": "shard_root and block_count only when complete",
        "properties": {
          "block_count": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "complete": {
            "type": "boolean"
          },
          "received": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "shard_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "upload_id": {
            "type": "string"
          }
        },
        "required": [
          "upload_id",
          "received",
          "complete"
        ],
        "type": "object"
      },
      "WriteMarker": {
        "description": "Section 6; signed by the allocation owner",
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "allocation_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "blobber_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "chain_hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "chain_size": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "client_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "file_meta_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "previous_allocation_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "sequence": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "signature": {
            "$ref": "#/components/schemas/Signature"
          },
          "size": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "timestamp": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          }
        },
        "required": [
          "allocation_id",
          "blobber_id",
          "client_id",
          "sequence",
          "allocation_root",
          "previous_allocation_root",
          "file_meta_root",
          "size",
          "chain_size",
          "chain_hash",
          "timestamp",
          "signature"
        ],
        "type": "object"
      }
    },
    "securitySchemes": {
      "signedRequest": {
        "description": "With x-blob-key, x-blob-time, x-blob-nonce and x-blob-body-sha256: an Ed25519 signature over the request hash (docs/PROTOCOL.md section 2, \"Signed requests\")",
        "in": "header",
        "name": "x-blob-signature",
        "type": "apiKey"
      }
    }
  },
  "info": {
    "description": "The blobber's HTTP API; docs/PROTOCOL.md section 8 is the full contract (request signatures, commit rules, proofs). Every error answer is an Error object with a stable code; each response lists the codes it can carry.",
    "title": "blobnet blobber API",
    "version": "1"
  },
  "openapi": "3.1.0",
  "paths": {
    "/health": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "properties": {
                    "status": {
                      "enum": [
                        "ok"
                      ],
                      "type": "string"
                    }
                  },
                  "required": [
                    "status"
                  ],
                  "type": "object"
                }
              }
            },
            "description": "OK"
          }
        },
        "summary": "Liveness"
      }
    },
    "/metrics": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "Prometheus text format"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`"
          }
        },
        "summary": "Prometheus metrics (section 8, \"Metrics\")"
      }
    },
    "/openapi.json": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            },
            "description": "OK"
          }
        },
        "summary": "This document"
      }
    },
    "/v1/allocations/{a}/blocks": {
      "get": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a file's path (percent-encoded; section 8, \"Reads\")",
            "in": "query",
            "name": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "first block (default 0)",
            "in": "query",
            "name": "start",
            "required": false,
            "schema": {
              "maximum": 18446744073709551615,
              "minimum": 0,
              "type": "integer"
            }
          },
          {
            "description": "1 to 256 blocks (default 1)",
            "in": "query",
            "name": "count",
            "required": false,
            "schema": {
              "maximum": 18446744073709551615,
              "minimum": 0,
              "type": "integer"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a reader's share ticket: hex of its JSON",
            "in": "header",
            "name": "x-blob-ticket",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/octet-stream": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              }
            },
            "description": "The raw blocks",
            "headers": {
              "x-blob-block-count": {
                "description": "the shard's block count (decimal)",
                "schema": {
                  "type": "string"
                }
              },
              "x-blob-range-proof": {
                "description": "hex of the concatenated range-proof hashes (section 3.2)",
                "schema": {
                  "type": "string"
                }
              },
              "x-blob-shard-root": {
                "description": "the shard root",
                "schema": {
                  "pattern": "^[0-9a-f]{64}$",
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `path.invalid`, `read.bad_range`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`, `auth.bad_ticket`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`, `read.not_found`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Blocks [start, start+count) of a file's shard with a range proof"
      }
    },
    "/v1/allocations/{a}/commit": {
      "post": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CommitRequest"
              }
            }
          },
          "required": true
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommitResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `path.invalid`, `commit.upload_mismatch`, `commit.rename_mismatch`, `commit.duplicate_path`, `commit.empty`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`, `upload.unknown`, `commit.not_found`"
          },
          "409": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`upload.incomplete`, `allocation.capacity_exceeded`, `marker.*`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.too_large`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Apply changes under a signed write marker"
      }
    },
    "/v1/allocations/{a}/file": {
      "get": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a file's path (percent-encoded; section 8, \"Reads\")",
            "in": "query",
            "name": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a reader's share ticket: hex of its JSON",
            "in": "header",
            "name": "x-blob-ticket",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FileResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `path.invalid`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`, `auth.bad_ticket`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`, `read.not_found`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "A file entry with its trie proof and the latest marker"
      }
    },
    "/v1/allocations/{a}/list": {
      "get": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a directory, with or without its final /",
            "in": "query",
            "name": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "a reader's share ticket: hex of its JSON",
            "in": "header",
            "name": "x-blob-ticket",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ListResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `path.invalid`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`, `auth.bad_ticket`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "The entries directly under a directory"
      }
    },
    "/v1/allocations/{a}/proofs": {
      "post": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProofsRequest"
              }
            }
          },
          "required": true
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProofsResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `path.invalid`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.too_large`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "The head and trie proofs for paths"
      }
    },
    "/v1/allocations/{a}/reencryption-keys": {
      "post": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReencryptionKeyRequest"
              }
            }
          },
          "required": true
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReencryptionKeyResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `share.bad_key`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`, `auth.bad_ticket`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.too_large`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Register a share ticket's re-encryption key (section 10.12)"
      }
    },
    "/v1/allocations/{a}/rollback": {
      "post": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RollbackRequest"
              }
            }
          },
          "required": true
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommitResponse"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "409": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`rollback.nothing_to_undo`, `marker.*`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.too_large`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Undo the latest commit under a signed rollback marker"
      }
    },
    "/v1/allocations/{a}/state": {
      "get": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AllocationState"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Head, latest marker, stored bytes"
      }
    },
    "/v1/allocations/{a}/uploads/{u}": {
      "delete": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "upload id, 1 to 64 of [A-Za-z0-9_-] (else upload.bad_id)",
            "in": "path",
            "name": "u",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Dropped"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `upload.bad_id`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`, `upload.unknown`"
          },
          "409": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`upload.busy`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Drop a staged upload"
      },
      "get": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "upload id, 1 to 64 of [A-Za-z0-9_-] (else upload.bad_id)",
            "in": "path",
            "name": "u",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UploadStatus"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `upload.bad_id`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`, `upload.unknown`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "A staged upload's state, for resuming"
      },
      "put": {
        "parameters": [
          {
            "description": "allocation id, 64 hex digits (else request.malformed)",
            "in": "path",
            "name": "a",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "upload id, 1 to 64 of [A-Za-z0-9_-] (else upload.bad_id)",
            "in": "path",
            "name": "u",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "the staged upload's received bytes (0 for a new one)",
            "in": "query",
            "name": "offset",
            "required": false,
            "schema": {
              "maximum": 18446744073709551615,
              "minimum": 0,
              "type": "integer"
            }
          },
          {
            "description": "the whole shard's length, a positive multiple of 65536",
            "in": "header",
            "name": "x-blob-shard-size",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 public key of the signer",
            "in": "header",
            "name": "x-blob-key",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "Unix milliseconds when the request was signed (decimal)",
            "in": "header",
            "name": "x-blob-time",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "16 hex digits, fresh for every request",
            "in": "header",
            "name": "x-blob-nonce",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex SHA-256 of the body, or UNSIGNED-PAYLOAD (shard uploads, bodiless requests)",
            "in": "header",
            "name": "x-blob-body-sha256",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "hex Ed25519 signature over the request hash",
            "in": "header",
            "name": "x-blob-signature",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/octet-stream": {
              "schema": {
                "format": "binary",
                "type": "string"
              }
            }
          },
          "required": true
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UploadStatus"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`request.malformed`, `auth.body_digest_mismatch`, `auth.body_not_signed`, `upload.bad_id`, `upload.bad_length`"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.missing`, `auth.malformed`, `auth.stale`, `auth.bad_signature`, `auth.replayed`"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`auth.not_owner`, `allocation.not_a_blobber`"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.unknown`"
          },
          "409": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.capacity_exceeded`, `upload.offset_mismatch`, `upload.busy`"
          },
          "410": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`allocation.expired`"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`upload.too_large`"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`, `storage.corrupt`"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`ledger.unreachable`"
          }
        },
        "security": [
          {
            "signedRequest": []
          }
        ],
        "summary": "Stream shard bytes into a staged upload"
      }
    },
    "/v1/info": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BlobberInfo"
                }
              }
            },
            "description": "OK"
          },
          "500": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "`storage.io`"
          }
        },
        "summary": "The blobber's id, key, capacity, bytes used and region"
      }
    }
  }
}
"""#
}
