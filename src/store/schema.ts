/** The SQLite schema of the scan state (.mmreview/state.db) and its version. */

/** Bump when the schema changes incompatibly; `openStateStore` refuses databases of another version. */
export const SCHEMA_VERSION = 1;

/** DDL, idempotent (IF NOT EXISTS). */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per scanned source (mbox file, maildir, public-inbox directory), by absolute path.
CREATE TABLE IF NOT EXISTS sources (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE
);

-- Every message seen, by source + key (commit oid for public-inbox, content hash otherwise).
-- status: skipped (no diff) | irrelevant (diff outside mm scope) | context (reply / quoted diff / cover letter)
--         | patch | duplicate | error
CREATE TABLE IF NOT EXISTS messages (
  source_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  hash TEXT NOT NULL,
  message_id TEXT,
  parent TEXT,
  subject TEXT,
  status TEXT NOT NULL,
  code TEXT,
  error TEXT,
  PRIMARY KEY (source_id, key)
);
CREATE INDEX IF NOT EXISTS messages_by_mid ON messages (message_id);
CREATE INDEX IF NOT EXISTS messages_by_parent ON messages (parent);

-- Patches to review, one per unquoted, non-cover diff-bearing message part.
-- state: pending | reviewed | superseded | failed
CREATE TABLE IF NOT EXISTS patches (
  pkey TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  lineage TEXT NOT NULL,
  series_root TEXT NOT NULL,
  version INTEGER NOT NULL,
  part INTEGER NOT NULL,
  total INTEGER NOT NULL,
  subject TEXT NOT NULL,
  patch_json TEXT NOT NULL,
  state TEXT NOT NULL,
  error TEXT
);
CREATE INDEX IF NOT EXISTS patches_by_state ON patches (state, seq);
CREATE INDEX IF NOT EXISTS patches_by_lineage ON patches (lineage, version);
-- Additive (older databases gain them on open): Message-ID duplicate checks and the next sequence number are
-- index look-ups, not scans of every patch per new patch.
CREATE INDEX IF NOT EXISTS patches_by_mid ON patches (message_id);
CREATE INDEX IF NOT EXISTS patches_by_seq ON patches (seq);

-- Series, by the message-id at the root of their thread.
CREATE TABLE IF NOT EXISTS series (
  root TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  first_seq INTEGER NOT NULL
);

-- Findings by fingerprint and patch.
-- disposition: reported (drafted a reply) | repeat (reported before for an earlier version)
--              | resolved (the patch fixes this hazard) | summary (not reportable: refuted, inconclusive, ...)
CREATE TABLE IF NOT EXISTS findings (
  fingerprint TEXT NOT NULL,
  pkey TEXT NOT NULL,
  message_id TEXT NOT NULL,
  lineage TEXT NOT NULL,
  version INTEGER NOT NULL,
  rule TEXT NOT NULL,
  status TEXT NOT NULL,
  disposition TEXT NOT NULL,
  fixed_in TEXT,
  finding_json TEXT NOT NULL,
  PRIMARY KEY (fingerprint, pkey)
);
CREATE INDEX IF NOT EXISTS findings_by_fp ON findings (fingerprint);
CREATE INDEX IF NOT EXISTS findings_by_lineage ON findings (lineage, disposition);

-- Replies drafted or sent. state: drafted | sending | sent | send-failed
CREATE TABLE IF NOT EXISTS replies (
  reply_id TEXT PRIMARY KEY,
  in_reply_to TEXT NOT NULL,
  pkey TEXT NOT NULL,
  file TEXT NOT NULL,
  fingerprints TEXT NOT NULL,
  state TEXT NOT NULL,
  error TEXT
);

-- Additive indexes for the report (older databases gain them on open): a patch's findings and replies, and the
-- messages with a problem, are index look-ups instead of full scans per patch.
CREATE INDEX IF NOT EXISTS findings_by_pkey ON findings (pkey);
CREATE INDEX IF NOT EXISTS replies_by_pkey ON replies (pkey);
CREATE INDEX IF NOT EXISTS messages_with_problem ON messages (source_id, idx) WHERE code IS NOT NULL;
-- Additive: the report's message totals (COUNT per status) read this small index instead of every message row.
CREATE INDEX IF NOT EXISTS messages_by_status ON messages (status);
`;
