//! Live events in Redis: publishing a `BusEvent` on its channel, and the
//! pub/sub connection an instance follows its channels with. On one Redis
//! that is a plain SUBSCRIBE connection; on a cluster, a connection of its
//! own (never used for commands) that follows sharded channels with
//! SSUBSCRIBE, grouped by slot, and RESP3 pushes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::Slot;
use redis::{PushInfo, PushKind};
use tokio::sync::mpsc;

use crate::server::events::BusEvent;

use super::conn::{cluster_builder, RedisTarget};
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
        redis::cmd(conn.publish_command())
            .arg(self.keys.channel(&route))
            .arg(json)
            .query_async::<i64>(&mut conn)
            .await?;
        Ok(())
    }

    /// A fresh pub/sub connection, subscribed to nothing yet: the handle
    /// that changes its subscriptions, and the stream of payloads that
    /// ends when the connection drops (on a cluster also when a node
    /// drops, or a slot that carries a followed channel moves: the bus
    /// then makes a new link, follows everything again and replays what
    /// it missed from the store).
    pub async fn bus_link(
        &self,
    ) -> StoreResult<(
        BusSubscriber,
        futures::stream::BoxStream<'static, Vec<u8>>,
    )> {
        match &self.target {
            RedisTarget::Single(url) => {
                let client = redis::Client::open(url.as_str())?;
                let (sink, stream) = client.get_async_pubsub().await?.split();
                let payloads = stream.map(|msg| msg.get_payload_bytes().to_vec()).boxed();
                Ok((BusSubscriber::Single(sink), payloads))
            }
            RedisTarget::Cluster(urls) => {
                let (pushes, received) = mpsc::unbounded_channel::<PushInfo>();
                let conn = cluster_builder(urls)
                    .push_sender(pushes)
                    .build()?
                    .get_async_connection()
                    .await?;
                let followed = Arc::new(Mutex::new(HashSet::new()));
                let payloads = sharded_payloads(received, followed.clone()).boxed();
                Ok((BusSubscriber::Cluster { conn, followed }, payloads))
            }
        }
    }
}

/// The payloads of sharded messages, until the link cannot be trusted to
/// carry every channel it follows: a node connection dropped, or Redis
/// unsubscribed a followed channel by itself (its slot moved, or its
/// master was demoted). The `redis` crate does not subscribe such a
/// channel again, so the bus's new link does.
fn sharded_payloads(
    received: mpsc::UnboundedReceiver<PushInfo>,
    followed: Arc<Mutex<HashSet<String>>>,
) -> impl futures::Stream<Item = Vec<u8>> + Send + 'static {
    futures::stream::unfold((received, followed), |(mut received, followed)| async move {
        loop {
            let push = received.recv().await?;
            match push.kind {
                PushKind::SMessage | PushKind::Message => {
                    if let Some(msg) = redis::Msg::from_push_info(push) {
                        return Some((msg.get_payload_bytes().to_vec(), (received, followed)));
                    }
                }
                PushKind::SUnsubscribe => {
                    let channel = push.data.first().and_then(|v| match v {
                        redis::Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
                        _ => None,
                    });
                    let still_followed = channel.is_some_and(|channel| {
                        followed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .contains(&channel)
                    });
                    if still_followed {
                        tracing::info!("the cluster unsubscribed a followed channel; following everything again");
                        return None;
                    }
                }
                PushKind::Disconnection => {
                    tracing::info!("a cluster node connection dropped; following everything again");
                    return None;
                }
                _ => {}
            }
        }
    })
}

/// Changes what one pub/sub connection follows. Each call waits until
/// Redis has confirmed it (bounded), so that after `subscribe` returns,
/// every later publish on those channels reaches the connection.
#[derive(Clone)]
pub enum BusSubscriber {
    Single(redis::aio::PubSubSink),
    Cluster {
        conn: ClusterConnection,
        /// What this link follows, as it asked: a server-side unsubscribe
        /// of one of these ends the link's stream.
        followed: Arc<Mutex<HashSet<String>>>,
    },
}

impl BusSubscriber {
    pub async fn subscribe(&mut self, channels: &[String]) -> StoreResult<()> {
        match self {
            BusSubscriber::Single(sink) => {
                for chunk in channels.chunks(SUBSCRIBE_CHUNK) {
                    confirmed(sink.subscribe(chunk)).await?;
                }
            }
            BusSubscriber::Cluster { conn, followed } => {
                followed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(channels.iter().cloned());
                for group in by_slot(channels) {
                    confirmed(conn.ssubscribe(group)).await?;
                }
            }
        }
        Ok(())
    }

    pub async fn unsubscribe(&mut self, channels: &[String]) -> StoreResult<()> {
        match self {
            BusSubscriber::Single(sink) => {
                for chunk in channels.chunks(SUBSCRIBE_CHUNK) {
                    confirmed(sink.unsubscribe(chunk)).await?;
                }
            }
            BusSubscriber::Cluster { conn, followed } => {
                {
                    let mut followed = followed.lock().unwrap_or_else(|e| e.into_inner());
                    for channel in channels {
                        followed.remove(channel);
                    }
                }
                for group in by_slot(channels) {
                    confirmed(conn.sunsubscribe(group)).await?;
                }
            }
        }
        Ok(())
    }
}

/// Channels grouped by hash slot (one SSUBSCRIBE may name channels of one
/// slot only; the crate does not split it), each group in chunks.
fn by_slot(channels: &[String]) -> Vec<Vec<&str>> {
    let mut groups: HashMap<Slot, Vec<&str>> = HashMap::new();
    for channel in channels {
        groups.entry(Slot::for_key(channel)).or_default().push(channel);
    }
    groups
        .into_values()
        .flat_map(|group| {
            group
                .chunks(SUBSCRIBE_CHUNK)
                .map(<[&str]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_of_one_room_share_a_group_and_rooms_split() {
        let channels: Vec<String> = ["P:{room:1}:live", "P:{room:1}:live", "P:{room:2}:live"]
            .map(String::from)
            .to_vec();
        let mut groups = by_slot(&channels);
        groups.sort();
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert!(groups.iter().any(|g| g == &vec!["P:{room:1}:live", "P:{room:1}:live"]));
    }
}
