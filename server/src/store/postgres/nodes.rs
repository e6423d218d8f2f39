//! [`NodeStore`] on PostgreSQL: what every node of a cluster says about
//! itself, and the registry version they must all hold.

use postgres::Row;

use super::{PgStore, append_audit_in, opt_row};
use crate::audit::AuditRecord;
use crate::store::StoreError;
use crate::store::nodes::{NodeBeat, NodeStore, PublishedRegistry};

fn published_from_row(r: &Row) -> PublishedRegistry {
    PublishedRegistry {
        version: r.get(0),
        persons: r.get(1),
        source: r.get(2),
        imported_at: r.get(3),
        node: r.get(4),
        published_at: r.get(5),
    }
}

impl NodeStore for PgStore {
    fn publish_registry(
        &self,
        registry: &PublishedRegistry,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO registry_publications (version, persons, source, imported_at, node, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &registry.version,
                    &registry.persons,
                    &registry.source,
                    &registry.imported_at,
                    &registry.node,
                    &registry.published_at,
                ],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn current_registry(&self) -> Result<Option<PublishedRegistry>, StoreError> {
        self.read(|c| {
            Ok(opt_row(
                c,
                "SELECT version, persons, source, imported_at, node, published_at
                 FROM registry_publications ORDER BY seq DESC LIMIT 1",
                &[],
            )?
            .as_ref()
            .map(published_from_row))
        })
    }

    fn node_seen(&self, beat: &NodeBeat) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "INSERT INTO nodes (node, host, registry_version, started_at, last_seen)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (node) DO UPDATE SET host = excluded.host,
                     registry_version = excluded.registry_version,
                     started_at = excluded.started_at, last_seen = excluded.last_seen",
                &[
                    &beat.node,
                    &beat.host,
                    &beat.registry_version,
                    &beat.started_at,
                    &beat.last_seen,
                ],
            )?;
            Ok(())
        })
    }

    fn nodes(&self) -> Result<Vec<NodeBeat>, StoreError> {
        self.read(|c| {
            Ok(c.query(
                "SELECT node, host, registry_version, started_at, last_seen FROM nodes ORDER BY node",
                &[],
            )?
            .iter()
            .map(|r| NodeBeat {
                node: r.get(0),
                host: r.get(1),
                registry_version: r.get(2),
                started_at: r.get(3),
                last_seen: r.get(4),
            })
            .collect())
        })
    }

    fn job_registry(&self, id: &str, worker: &str, version: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            let n = c.execute(
                "UPDATE query_jobs SET registry_version = $3
                 WHERE id = $1 AND worker = $2 AND state = 'RUNNING'",
                &[&id, &worker, &version],
            )?;
            Ok(n == 1)
        })
    }
}
