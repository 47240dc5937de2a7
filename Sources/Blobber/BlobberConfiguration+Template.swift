extension BlobberConfiguration {
    /// The commented YAML that `blobber init` writes.
    public var commentedYAML: String {
        """
        # blobber configuration. Flags given to `blobber serve` override these values.

        # Folder with the key, the database, staged uploads and shards.
        data_dir: \(dataDirectory)
        # Ed25519 key file (mode 0600), relative to data_dir unless absolute.
        key_file: \(keyFile)

        # Where to listen, and the URL clients use to reach this blobber (registered on the ledger;
        # empty means http://host:port).
        host: \(host)
        port: \(port)
        public_url: "\(publicURL)"

        # The ledger this blobber registers with and submits write-marker chains to.
        ledger_url: \(ledgerURL)

        # What is for sale: bytes offered, prices in token units (1 token = 10^10 units) per GiB,
        # a region name for placement, and the stake locked at registration.
        capacity: \(capacity)
        read_price: \(readPrice)
        write_price: \(writePrice)
        region: \(region)
        stake: \(stake)

        # Write markers are submitted to the ledger in chains of at most batch_max_markers: when that
        # many wait, when the oldest has waited batch_max_age seconds, or when none arrived for
        # batch_idle seconds.
        batch_max_markers: \(batchMaxMarkers)
        batch_max_age: \(batchMaxAge)
        batch_idle: \(batchIdle)

        # Seconds between polls of the ledger for challenges addressed to this blobber.
        challenge_poll_interval: \(challengePollInterval)

        # Seconds an allocation's terms (size, expiry, its blobbers) learned from the ledger are trusted;
        # a request they would refuse (expired, out of space) asks the ledger again after 2 s at most.
        terms_refresh: \(termsRefresh)

        # Signed requests must be within this many seconds of this machine's clock.
        request_window: \(requestWindow)
        # Largest JSON body (commit, proofs) in bytes.
        max_json_body: \(maxJSONBody)
        # A connection that sends no whole request head (or nothing between requests) for this many
        # seconds is closed; at most max_connections are served at once (more wait in the backlog);
        # at most max_receiving_uploads uploads of one allocation receive bytes at once (upload.busy).
        idle_timeout: \(idleTimeout)
        max_connections: \(maxConnections)
        max_receiving_uploads: \(maxReceivingUploads)
        # Staged uploads never committed are collected after this many seconds.
        staged_upload_lifetime: \(stagedUploadLifetime)
        # Seconds between collections of entry versions no challenge can name any more, the shard files
        # only they used (rolled-back data), and stale staged uploads.
        gc_interval: \(gcInterval)

        # Log level: trace, debug, info, notice, warning, error or critical (--log-level overrides it).
        # SIGHUP or SIGUSR1 reads it again, with capacity, read_price and write_price.
        log_level: \(logLevel)

        # Test networks only: delay every response by this many milliseconds (0 = off).
        fault_delay_ms: \(faultDelayMilliseconds)
        # Test networks only: take the stake from the ledger's faucet before registering.
        faucet: \(faucet)

        """
    }
}
