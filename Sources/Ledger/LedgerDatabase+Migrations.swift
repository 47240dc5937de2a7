import GRDB

extension LedgerDatabase {
    /// Forward-only schema migrations.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger_meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL);
                    CREATE TABLE supply (
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 0),
                        minted INTEGER NOT NULL CHECK (minted >= 0));
                    CREATE TABLE accounts (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        balance INTEGER NOT NULL CHECK (balance >= 0)) WITHOUT ROWID;
                    CREATE TABLE blobbers (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        public_key BLOB NOT NULL CHECK (length(public_key) = 32),
                        url TEXT NOT NULL,
                        capacity INTEGER NOT NULL CHECK (capacity >= 0),
                        used INTEGER NOT NULL CHECK (used >= 0 AND used <= capacity),
                        read_price INTEGER NOT NULL CHECK (read_price >= 0),
                        write_price INTEGER NOT NULL CHECK (write_price >= 0),
                        region TEXT NOT NULL,
                        stake INTEGER NOT NULL CHECK (stake >= 0),
                        registered_at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE allocations (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        owner_id BLOB NOT NULL CHECK (length(owner_id) = 32),
                        owner_key BLOB NOT NULL CHECK (length(owner_key) = 32),
                        data_shards INTEGER NOT NULL CHECK (data_shards >= 1),
                        parity_shards INTEGER NOT NULL CHECK (parity_shards >= 0),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        shard_size INTEGER NOT NULL CHECK (shard_size >= 0),
                        created_at INTEGER NOT NULL,
                        expiry INTEGER NOT NULL,
                        write_pool INTEGER NOT NULL CHECK (write_pool >= 0),
                        finalized INTEGER NOT NULL CHECK (finalized IN (0, 1))) WITHOUT ROWID;
                    CREATE TABLE allocation_blobbers (
                        allocation_id BLOB NOT NULL REFERENCES allocations(id),
                        blobber_id BLOB NOT NULL REFERENCES blobbers(id),
                        shard_index INTEGER NOT NULL CHECK (shard_index >= 0),
                        write_price INTEGER NOT NULL CHECK (write_price >= 0),
                        sequence INTEGER NOT NULL,
                        allocation_root BLOB NOT NULL CHECK (length(allocation_root) = 32),
                        chain_hash BLOB CHECK (chain_hash IS NULL OR length(chain_hash) = 32),
                        chain_size INTEGER NOT NULL CHECK (chain_size >= 0),
                        marker_timestamp INTEGER NOT NULL,
                        high_water INTEGER NOT NULL CHECK (high_water >= 0),
                        paid INTEGER NOT NULL CHECK (paid >= 0),
                        challenge_pool INTEGER NOT NULL CHECK (challenge_pool >= 0),
                        PRIMARY KEY (allocation_id, blobber_id),
                        UNIQUE (allocation_id, shard_index)) WITHOUT ROWID;
                    CREATE TABLE markers (
                        allocation_id BLOB NOT NULL,
                        blobber_id BLOB NOT NULL,
                        sequence INTEGER NOT NULL,
                        hash BLOB NOT NULL CHECK (length(hash) = 32),
                        PRIMARY KEY (allocation_id, blobber_id, sequence)) WITHOUT ROWID;
                    CREATE TABLE challenges (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        allocation_id BLOB NOT NULL REFERENCES allocations(id),
                        blobber_id BLOB NOT NULL REFERENCES blobbers(id),
                        root BLOB NOT NULL,
                        seed BLOB NOT NULL,
                        issued_at INTEGER NOT NULL,
                        deadline INTEGER NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('open', 'passed', 'failed', 'timeout'))) WITHOUT ROWID;
                    CREATE INDEX challenges_open ON challenges(status, deadline);
                    CREATE TABLE transactions (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
                        block INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        public_key BLOB NOT NULL,
                        nonce INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        applied_at INTEGER NOT NULL,
                        effects_digest BLOB NOT NULL,
                        result TEXT NOT NULL);
                    CREATE INDEX transactions_block ON transactions(block, seq);
                    CREATE TABLE blocks (
                        height INTEGER PRIMARY KEY NOT NULL,
                        hash BLOB NOT NULL UNIQUE,
                        previous_hash BLOB NOT NULL,
                        tx_root BLOB NOT NULL,
                        state_root BLOB NOT NULL,
                        timestamp INTEGER NOT NULL,
                        tx_count INTEGER NOT NULL,
                        signature BLOB NOT NULL);
                    INSERT INTO supply (id, minted) VALUES (0, 0);
                    """)
        }
        // `GET /v1/allocations?owner=` pages one owner's allocations by id.
        migrator.registerMigration("v2-allocations-by-owner") { db in
            try db.execute(sql: "CREATE INDEX allocations_owner ON allocations(owner_id, id)")
        }
        // `revoke_ticket`: the share tickets an allocation's owner revoked.
        migrator.registerMigration("v3-ticket-revocations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ticket_revocations (
                        allocation_id BLOB NOT NULL REFERENCES allocations(id),
                        ticket_hash BLOB NOT NULL CHECK (length(ticket_hash) = 32),
                        revoked_at INTEGER NOT NULL,
                        PRIMARY KEY (allocation_id, ticket_hash)) WITHOUT ROWID;
                    """)
        }
        return migrator
    }
}
