//! [`NodeStore`] on SQLite (one node, but the same records as a cluster's).

use rusqlite::{OptionalExtension, Row, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::nodes::{NodeBeat, NodeStore, PublishedRegistry};
use crate::store::{SqliteStore, StoreError};

fn published_from_row(r: &Row<'_>) -> rusqlite::Result<PublishedRegistry> {
    Ok(PublishedRegistry {
        version: r.get(0)?,
        persons: r.get(1)?,
        source: r.get(2)?,
        imported_at: r.get(3)?,
        node: r.get(4)?,
        published_at: r.get(5)?,
    })
}

impl NodeStore for SqliteStore {
    fn publish_registry(
        &self,
        registry: &PublishedRegistry,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO registry_publications (version, persons, source, imported_at, node, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    registry.version,
                    registry.persons,
                    registry.source,
                    registry.imported_at,
                    registry.node,
                    registry.published_at
                ],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn current_registry(&self) -> Result<Option<PublishedRegistry>, StoreError> {
        let conn = self.read()?;
        Ok(conn
            .query_row(
                "SELECT version, persons, source, imported_at, node, published_at
                 FROM registry_publications ORDER BY seq DESC LIMIT 1",
                [],
                published_from_row,
            )
            .optional()?)
    }

    fn node_seen(&self, beat: &NodeBeat) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO nodes (node, host, registry_version, started_at, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (node) DO UPDATE SET host = excluded.host,
                 registry_version = excluded.registry_version,
                 started_at = excluded.started_at, last_seen = excluded.last_seen",
            params![
                beat.node,
                beat.host,
                beat.registry_version,
                beat.started_at,
                beat.last_seen
            ],
        )?;
        Ok(())
    }

    fn nodes(&self) -> Result<Vec<NodeBeat>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT node, host, registry_version, started_at, last_seen FROM nodes ORDER BY node",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(NodeBeat {
                node: r.get(0)?,
                host: r.get(1)?,
                registry_version: r.get(2)?,
                started_at: r.get(3)?,
                last_seen: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn job_registry(&self, id: &str, worker: &str, version: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute(
            "UPDATE query_jobs SET registry_version = ?3
             WHERE id = ?1 AND worker = ?2 AND state = 'RUNNING'",
            params![id, worker, version],
        )?;
        Ok(n == 1)
    }
}
