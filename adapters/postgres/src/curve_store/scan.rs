//! Export as a server-side cursor: a dedicated pooled connection opens a read-only transaction,
//! `DECLARE`s a `NO SCROLL` cursor over the canonically ordered query and `FETCH`es it 1,000
//! rows at a time, so neither side holds more than one chunk. A stream dropped before its end
//! (or failing) takes its connection out of the pool instead of returning it mid-transaction.

use aurum_ports::{CurveObservation, ObservationStream, StoreError};
use deadpool_postgres::{Object, Pool};
use futures::StreamExt as _;
use futures::stream;

use super::decode::Decoder;
use super::sql::Statement;
use crate::error::{from_pg, from_pool};

/// Rows per chunk.
pub(super) const CHUNK_ROWS: usize = 1000;

/// A pooled connection that may be inside the export transaction.
struct Conn {
    client: Option<Object>,
    /// True from `BEGIN` until the transaction has been committed.
    in_transaction: bool,
}

impl Conn {
    fn client(&self) -> Result<&Object, StoreError> {
        self.client
            .as_ref()
            .ok_or_else(|| StoreError::Unavailable("the export cursor is closed".to_owned()))
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.in_transaction
            && let Some(client) = self.client.take()
        {
            // Mid-transaction: close the connection rather than hand it to the next user.
            drop(Object::take(client));
        }
    }
}

/// An open cursor on its own connection.
struct Cursor {
    conn: Conn,
    fetch: tokio_postgres::Statement,
}

impl Cursor {
    async fn open(pool: &Pool, statement: &Statement) -> Result<Self, StoreError> {
        let mut conn = Conn {
            client: Some(pool.get().await.map_err(from_pool)?),
            in_transaction: false,
        };
        // From here on an early return drops `conn`, which takes the connection with it.
        conn.in_transaction = true;
        let client = conn.client()?;
        client
            .batch_execute("BEGIN READ ONLY")
            .await
            .map_err(from_pg)?;
        let declare = format!("DECLARE aurum_scan NO SCROLL CURSOR FOR {}", statement.sql);
        client
            .execute(declare.as_str(), &statement.params())
            .await
            .map_err(from_pg)?;
        let fetch = client
            .prepare(&format!("FETCH {CHUNK_ROWS} FROM aurum_scan"))
            .await
            .map_err(from_pg)?;
        Ok(Self { conn, fetch })
    }

    /// The next chunk; empty at the end.
    async fn next_chunk(&self) -> Result<Vec<CurveObservation>, StoreError> {
        let rows = self
            .conn
            .client()?
            .query(&self.fetch, &[])
            .await
            .map_err(from_pg)?;
        let mut decoder = Decoder::new();
        rows.iter().map(|r| decoder.observation(r, 0)).collect()
    }

    /// Closes the cursor and commits; the connection goes back to the pool.
    async fn finish(mut self) -> Result<(), StoreError> {
        self.conn
            .client()?
            .batch_execute("CLOSE aurum_scan; COMMIT")
            .await
            .map_err(from_pg)?;
        self.conn.in_transaction = false;
        Ok(())
    }
}

/// Opens the cursor and reads the first chunk (errors up to here are returned directly), then
/// streams the rest.
pub(super) async fn scan(
    pool: &Pool,
    statement: &Statement,
) -> Result<ObservationStream, StoreError> {
    let cursor = Cursor::open(pool, statement).await?;
    let first = cursor.next_chunk().await?;
    if first.is_empty() {
        cursor.finish().await?;
        return Ok(stream::empty().boxed());
    }
    let rest = stream::unfold(Some(cursor), |state| async move {
        let cursor = state?;
        match cursor.next_chunk().await {
            Ok(chunk) if !chunk.is_empty() => Some((Ok(chunk), Some(cursor))),
            Ok(_) => match cursor.finish().await {
                Ok(()) => None,
                Err(e) => Some((Err(e), None)),
            },
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(stream::once(async move { Ok(first) }).chain(rest).boxed())
}
