//! Publishing live events on the bus channel.

use redis::AsyncCommands;

use crate::server::bus::event::BusEvent;

use super::{Store, StoreError, StoreResult};

impl Store {
    pub async fn publish(&self, event: &BusEvent) -> StoreResult<()> {
        let json = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        conn.publish::<_, _, ()>(self.keys.bus_channel(), json)
            .await?;
        Ok(())
    }
}

impl Store {
    /// A fresh pub/sub connection subscribed to the bus channel, as a
    /// stream of payloads that ends when the connection drops.
    pub async fn subscribe_bus(
        &self,
    ) -> StoreResult<impl futures::Stream<Item = Vec<u8>> + Send + 'static> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(self.keys.bus_channel()).await?;
        Ok(futures::StreamExt::map(pubsub.into_on_message(), |msg| {
            msg.get_payload_bytes().to_vec()
        }))
    }
}
