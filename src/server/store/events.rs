//! Publishing live events on the bus channel.

use redis::AsyncCommands;

use crate::server::bus::event::BusEvent;

use super::{Store, StoreError, StoreResult};

impl Store {
    pub async fn publish(&self, event: &BusEvent) -> StoreResult<()> {
        let json = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        conn.publish::<_, _, ()>(self.keys.bus_channel(), json).await?;
        Ok(())
    }
}
