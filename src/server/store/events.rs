//! Live events in Redis: publishing a `BusEvent` on its channel, and the
//! pub/sub connection an instance follows its channels with.

use std::time::Duration;

use redis::AsyncCommands;

use crate::server::events::BusEvent;

use super::{Store, StoreError, StoreResult};

/// How long a SUBSCRIBE or UNSUBSCRIBE may wait for Redis to confirm it.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Channels named in one SUBSCRIBE: a resubscribe after a reconnect names
/// every channel an instance follows.
const SUBSCRIBE_CHUNK: usize = 1000;

impl Store {
    /// Publishes an event on the channel of its route. (Messages are
    /// published by the send script, never here.)
    pub async fn publish(&self, event: &BusEvent) -> StoreResult<()> {
        let route = event
            .route()
            .ok_or_else(|| StoreError::Corrupt("a message is published by its script".into()))?;
        let json = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        conn.publish::<_, _, ()>(self.keys.channel(&route), json)
            .await?;
        Ok(())
    }

    /// A fresh pub/sub connection, subscribed to nothing yet: the handle
    /// that changes its subscriptions, and the stream of payloads that
    /// ends when the connection drops.
    pub async fn bus_link(
        &self,
    ) -> StoreResult<(
        BusSubscriber,
        impl futures::Stream<Item = Vec<u8>> + Send + 'static,
    )> {
        let (sink, stream) = self.client.get_async_pubsub().await?.split();
        let payloads = futures::StreamExt::map(stream, |msg| msg.get_payload_bytes().to_vec());
        Ok((BusSubscriber { sink }, payloads))
    }
}

/// Changes what one pub/sub connection follows. Each call waits until
/// Redis has confirmed it (bounded), so that after `subscribe` returns,
/// every later publish on those channels reaches the connection.
#[derive(Clone)]
pub struct BusSubscriber {
    sink: redis::aio::PubSubSink,
}

impl BusSubscriber {
    pub async fn subscribe(&mut self, channels: &[String]) -> StoreResult<()> {
        for chunk in channels.chunks(SUBSCRIBE_CHUNK) {
            confirmed(self.sink.subscribe(chunk)).await?;
        }
        Ok(())
    }

    pub async fn unsubscribe(&mut self, channels: &[String]) -> StoreResult<()> {
        for chunk in channels.chunks(SUBSCRIBE_CHUNK) {
            confirmed(self.sink.unsubscribe(chunk)).await?;
        }
        Ok(())
    }
}

async fn confirmed(
    request: impl std::future::Future<Output = redis::RedisResult<()>>,
) -> StoreResult<()> {
    match tokio::time::timeout(SUBSCRIBE_TIMEOUT, request).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(StoreError::Redis(redis::RedisError::from((
            redis::ErrorKind::Io,
            "no confirmation from Redis in time",
        )))),
    }
}
