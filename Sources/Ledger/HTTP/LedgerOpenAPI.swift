/// The ledger API's OpenAPI 3.1 document, served at `/openapi.json`. `docs/openapi/ledger.json` is this
/// text; a test keeps the two and the router's routes in step.
enum LedgerOpenAPI {
    static let document = #"""
{
  "components": {
    "schemas": {
      "Account": {
        "properties": {
          "balance": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "id": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "id",
          "balance"
        ],
        "type": "object"
      },
      "Allocation": {
        "properties": {
          "created_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "data_shards": {
            "type": "integer"
          },
          "expiry": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "finalized": {
            "type": "boolean"
          },
          "id": {
            "$ref": "#/components/schemas/Hash"
          },
          "owner_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "owner_key": {
            "$ref": "#/components/schemas/Hash"
          },
          "parity_shards": {
            "type": "integer"
          },
          "shard_size": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "size": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "write_pool": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "id",
          "owner_id",
          "owner_key",
          "data_shards",
          "parity_shards",
          "size",
          "shard_size",
          "created_at",
          "expiry",
          "write_pool",
          "finalized"
        ],
        "type": "object"
      },
      "AllocationBlobber": {
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "blobber_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "challenge_pool": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "head": {
            "$ref": "#/components/schemas/ChainHead"
          },
          "high_water": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "paid": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "shard_index": {
            "type": "integer"
          },
          "write_price": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "allocation_id",
          "blobber_id",
          "shard_index",
          "write_price",
          "head",
          "high_water",
          "paid",
          "challenge_pool"
        ],
        "type": "object"
      },
      "AllocationPage": {
        "description": "next (the after of the following page) is absent on the last page",
        "properties": {
          "allocations": {
            "items": {
              "$ref": "#/components/schemas/Allocation"
            },
            "type": "array"
          },
          "next": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "allocations"
        ],
        "type": "object"
      },
      "AllocationView": {
        "properties": {
          "allocation": {
            "$ref": "#/components/schemas/Allocation"
          },
          "blobbers": {
            "items": {
              "$ref": "#/components/schemas/AllocationBlobber"
            },
            "type": "array"
          }
        },
        "required": [
          "allocation",
          "blobbers"
        ],
        "type": "object"
      },
      "Blobber": {
        "properties": {
          "capacity": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "id": {
            "$ref": "#/components/schemas/Hash"
          },
          "public_key": {
            "$ref": "#/components/schemas/Hash"
          },
          "read_price": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "region": {
            "type": "string"
          },
          "registered_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "stake": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "url": {
            "type": "string"
          },
          "used": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "write_price": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [
          "id",
          "public_key",
          "url",
          "capacity",
          "used",
          "read_price",
          "write_price",
          "region",
          "stake",
          "registered_at"
        ],
        "type": "object"
      },
      "Block": {
        "properties": {
          "hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "height": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "previous_hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "signature": {
            "$ref": "#/components/schemas/Signature"
          },
          "state_root": {
            "$ref": "#/components/schemas/Hash"
          },
          "timestamp": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "tx_count": {
            "maximum": 4294967295,
            "minimum": 0,
            "type": "integer"
          },
          "tx_root": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "height",
          "hash",
          "previous_hash",
          "tx_root",
          "state_root",
          "timestamp",
          "tx_count",
          "signature"
        ],
        "type": "object"
      },
      "ChainHead": {
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
          "chain_size",
          "timestamp"
        ],
        "type": "object"
      },
      "Challenge": {
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "blobber_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "deadline": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "id": {
            "$ref": "#/components/schemas/Hash"
          },
          "issued_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "root": {
            "$ref": "#/components/schemas/Hash"
          },
          "seed": {
            "$ref": "#/components/schemas/Hash"
          },
          "status": {
            "enum": [
              "open",
              "passed",
              "failed",
              "timeout"
            ],
            "type": "string"
          }
        },
        "required": [
          "id",
          "allocation_id",
          "blobber_id",
          "root",
          "seed",
          "issued_at",
          "deadline",
          "status"
        ],
        "type": "object"
      },
      "Error": {
        "description": "Every error answer (docs/PROTOCOL.md 7.8); marker_index only for marker.* codes",
        "properties": {
          "code": {
            "type": "string"
          },
          "marker_index": {
            "type": "integer"
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
      "Hash": {
        "description": "32 bytes as 64 lowercase hex digits",
        "pattern": "^[0-9a-f]{64}$",
        "type": "string"
      },
      "LedgerInfo": {
        "properties": {
          "genesis": {
            "properties": {
              "public_key": {
                "$ref": "#/components/schemas/Hash"
              },
              "rules": {
                "$ref": "#/components/schemas/Rules"
              },
              "timestamp": {
                "maximum": 9223372036854775807,
                "minimum": -9223372036854775808,
                "type": "integer"
              }
            },
            "required": [
              "public_key",
              "rules",
              "timestamp"
            ],
            "type": "object"
          },
          "height": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "public_key": {
            "$ref": "#/components/schemas/Hash"
          }
        },
        "required": [
          "public_key",
          "genesis",
          "height"
        ],
        "type": "object"
      },
      "Receipt": {
        "properties": {
          "block": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "hash": {
            "$ref": "#/components/schemas/Hash"
          },
          "result": {
            "$ref": "#/components/schemas/TransactionResult"
          },
          "status": {
            "enum": [
              "applied",
              "duplicate"
            ],
            "type": "string"
          }
        },
        "required": [
          "hash",
          "status",
          "block",
          "result"
        ],
        "type": "object"
      },
      "RevokedTickets": {
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "revoked": {
            "items": {
              "$ref": "#/components/schemas/Hash"
            },
            "type": "array"
          }
        },
        "required": [
          "allocation_id",
          "revoked"
        ],
        "type": "object"
      },
      "Rules": {
        "properties": {
          "challenge_timeout_ms": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "faucet": {
            "type": "boolean"
          },
          "faucet_max": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "timestamp_window_ms": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          }
        },
        "required": [
          "faucet",
          "faucet_max",
          "timestamp_window_ms",
          "challenge_timeout_ms"
        ],
        "type": "object"
      },
      "Signature": {
        "description": "Ed25519 signature, 128 lowercase hex digits",
        "pattern": "^[0-9a-f]{128}$",
        "type": "string"
      },
      "Transaction": {
        "description": "The signed envelope (section 7.2)",
        "properties": {
          "kind": {
            "enum": [
              "faucet",
              "register_blobber",
              "update_blobber",
              "create_allocation",
              "submit_chain",
              "challenge_response",
              "finalize_allocation",
              "update_allocation",
              "cancel_allocation",
              "revoke_ticket",
              "peg",
              "issue_challenge",
              "challenge_timeout"
            ],
            "type": "string"
          },
          "nonce": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "payload": {
            "description": "JSON text of the kind's payload (section 7.2)",
            "type": "string"
          },
          "public_key": {
            "$ref": "#/components/schemas/Hash"
          },
          "signature": {
            "$ref": "#/components/schemas/Signature"
          },
          "timestamp": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          }
        },
        "required": [
          "kind",
          "public_key",
          "nonce",
          "timestamp",
          "payload"
        ],
        "type": "object"
      },
      "TransactionResult": {
        "description": "Only the fields that concern the kind are present",
        "properties": {
          "allocation_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "balance": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "blobber_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "challenge_id": {
            "$ref": "#/components/schemas/Hash"
          },
          "markers_accepted": {
            "type": "integer"
          },
          "markers_skipped": {
            "type": "integer"
          },
          "paid": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "passed": {
            "type": "boolean"
          },
          "pooled": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "reason": {
            "type": "string"
          },
          "refunded": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "released": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "sequence": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          },
          "slashed": {
            "maximum": 18446744073709551615,
            "minimum": 0,
            "type": "integer"
          }
        },
        "required": [],
        "type": "object"
      },
      "TransactionView": {
        "properties": {
          "applied_at": {
            "maximum": 9223372036854775807,
            "minimum": -9223372036854775808,
            "type": "integer"
          },
          "receipt": {
            "$ref": "#/components/schemas/Receipt"
          },
          "transaction": {
            "$ref": "#/components/schemas/Transaction"
          }
        },
        "required": [
          "transaction",
          "receipt",
          "applied_at"
        ],
        "type": "object"
      }
    }
  },
  "info": {
    "description": "The ledger's HTTP API; docs/PROTOCOL.md section 7 is the full contract (hashes, signatures, rules). Every error answer is an Error object with a stable code.",
    "title": "blobnet ledger API",
    "version": "1"
  },
  "openapi": "3.1.0",
  "paths": {
    "/explorer": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          }
        },
        "summary": "Explorer: latest blocks, their transactions, the supply equation"
      }
    },
    "/explorer/allocations": {
      "get": {
        "parameters": [
          {
            "description": "start after this id",
            "in": "query",
            "name": "after",
            "required": false,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          },
          "400": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          }
        },
        "summary": "Explorer: allocations"
      }
    },
    "/explorer/allocations/{id}": {
      "get": {
        "parameters": [
          {
            "description": "allocation id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          },
          "400": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          },
          "404": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          }
        },
        "summary": "Explorer: an allocation"
      }
    },
    "/explorer/blobbers": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          }
        },
        "summary": "Explorer: blobbers"
      }
    },
    "/explorer/blocks/{height}": {
      "get": {
        "parameters": [
          {
            "description": "a decimal UInt64",
            "in": "path",
            "name": "height",
            "required": true,
            "schema": {
              "pattern": "^[0-9]{1,20}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          },
          "400": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          },
          "404": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          }
        },
        "summary": "Explorer: a block"
      }
    },
    "/explorer/challenges": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          }
        },
        "summary": "Explorer: challenges"
      }
    },
    "/explorer/transactions/{hash}": {
      "get": {
        "parameters": [
          {
            "description": "transaction hash",
            "in": "path",
            "name": "hash",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page"
          },
          "400": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          },
          "404": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "An HTML page naming the error code"
          }
        },
        "summary": "Explorer: a transaction"
      }
    },
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
          }
        },
        "summary": "Prometheus metrics"
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
    "/v1/accounts/{id}": {
      "get": {
        "parameters": [
          {
            "description": "account id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Account"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_account)"
          }
        },
        "summary": "An account's balance"
      }
    },
    "/v1/allocations": {
      "get": {
        "parameters": [
          {
            "description": "only this client's (64 hex digits)",
            "in": "query",
            "name": "owner",
            "required": false,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          },
          {
            "description": "start after this id (64 hex digits)",
            "in": "query",
            "name": "after",
            "required": false,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          },
          {
            "description": "1...1000, default 100",
            "in": "query",
            "name": "limit",
            "required": false,
            "schema": {
              "maximum": 1000,
              "minimum": 1,
              "type": "integer"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AllocationPage"
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
            "description": "Malformed parameter (tx.malformed)"
          }
        },
        "summary": "Allocations in id order, paged"
      }
    },
    "/v1/allocations/{id}": {
      "get": {
        "parameters": [
          {
            "description": "allocation id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AllocationView"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_allocation)"
          }
        },
        "summary": "An allocation with its blobbers' heads and pools"
      }
    },
    "/v1/allocations/{id}/revocations": {
      "get": {
        "parameters": [
          {
            "description": "allocation id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RevokedTickets"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_allocation)"
          }
        },
        "summary": "The hashes of an allocation's revoked share tickets (revoke_ticket), in hash order"
      }
    },
    "/v1/blobbers": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "items": {
                    "$ref": "#/components/schemas/Blobber"
                  },
                  "type": "array"
                }
              }
            },
            "description": "OK"
          }
        },
        "summary": "Every registered blobber"
      }
    },
    "/v1/blobbers/{id}": {
      "get": {
        "parameters": [
          {
            "description": "blobber id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Blobber"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_blobber)"
          }
        },
        "summary": "A blobber"
      }
    },
    "/v1/blocks/latest": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Block"
                }
              }
            },
            "description": "OK"
          }
        },
        "summary": "The latest sealed block"
      }
    },
    "/v1/blocks/{height}": {
      "get": {
        "parameters": [
          {
            "description": "a decimal UInt64",
            "in": "path",
            "name": "height",
            "required": true,
            "schema": {
              "pattern": "^[0-9]{1,20}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Block"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_block)"
          }
        },
        "summary": "A block"
      }
    },
    "/v1/blocks/{height}/transactions": {
      "get": {
        "parameters": [
          {
            "description": "a decimal UInt64",
            "in": "path",
            "name": "height",
            "required": true,
            "schema": {
              "pattern": "^[0-9]{1,20}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "items": {
                    "$ref": "#/components/schemas/TransactionView"
                  },
                  "type": "array"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_block)"
          }
        },
        "summary": "A block's transactions in log order (they hash to its tx_root)"
      }
    },
    "/v1/challenges": {
      "get": {
        "parameters": [
          {
            "description": "only this blobber's (64 hex digits)",
            "in": "query",
            "name": "blobber",
            "required": false,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          },
          {
            "description": "open, passed, failed or timeout",
            "in": "query",
            "name": "status",
            "required": false,
            "schema": {
              "enum": [
                "open",
                "passed",
                "failed",
                "timeout"
              ],
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "items": {
                    "$ref": "#/components/schemas/Challenge"
                  },
                  "type": "array"
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
            "description": "Malformed parameter (tx.malformed)"
          }
        },
        "summary": "Challenges, oldest first"
      }
    },
    "/v1/ledger": {
      "get": {
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LedgerInfo"
                }
              }
            },
            "description": "OK"
          }
        },
        "summary": "The ledger's public key, genesis rules and latest height"
      }
    },
    "/v1/transactions": {
      "post": {
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Transaction"
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
                  "$ref": "#/components/schemas/Receipt"
                }
              }
            },
            "description": "Applied, or a duplicate of an applied transaction"
          },
          "400": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Malformed"
          },
          "401": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Missing or bad signature"
          },
          "403": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Not permitted"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown account, blobber, allocation or challenge"
          },
          "409": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Conflicts with the state"
          },
          "413": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Body over --max-body"
          },
          "422": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Refused by the rules"
          }
        },
        "summary": "Submit a signed transaction"
      }
    },
    "/v1/transactions/{hash}": {
      "get": {
        "parameters": [
          {
            "description": "transaction hash, 64 hex digits",
            "in": "path",
            "name": "hash",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-fA-F]{64}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TransactionView"
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
            "description": "Malformed parameter (tx.malformed)"
          },
          "404": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "Unknown (ledger.unknown_transaction)"
          }
        },
        "summary": "A stored transaction with its receipt (a peg is read back here by its txid)"
      }
    }
  }
}
"""#
}
