//! The context object `$$` (execution, state, state machine, Task token, Map item).

use super::{Engine, MapItem};
use serde_json::{Map, Value};

impl Engine<'_> {
    /// The context object `$$` for a state; `Value::Null` when the state never reads it.
    #[inline]
    pub fn context(
        &self,
        wanted: bool,
        state: &str,
        entered: &str,
        retry_count: Option<u32>,
        item: Option<&MapItem>,
        token: Option<String>,
    ) -> Value {
        if !wanted {
            return Value::Null;
        }
        self.build_context(state, entered, retry_count, item, token)
    }

    #[inline(never)]
    fn build_context(
        &self,
        state: &str,
        entered: &str,
        retry_count: Option<u32>,
        item: Option<&MapItem>,
        token: Option<String>,
    ) -> Value {
        let info = &self.info;
        let names = info.context;
        let start = self
            .clock
            .start()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut exec = Map::new();
        exec.insert("Id".into(), names.execution_arn.clone().into());
        exec.insert("Input".into(), info.input.clone());
        exec.insert("StartTime".into(), start.into());
        exec.insert("Name".into(), names.execution_name.clone().into());
        exec.insert("RoleArn".into(), names.role_arn.clone().into());
        // Express executions cannot be redriven; AWS leaves the field out for them.
        if !names.express {
            exec.insert("RedriveCount".into(), 0.into());
        }
        let mut st = Map::new();
        st.insert("EnteredTime".into(), entered.into());
        st.insert("Name".into(), state.into());
        // Only states that can retry (Task, Parallel, Map) report RetryCount.
        if let Some(n) = retry_count {
            st.insert("RetryCount".into(), n.into());
        }
        let mut sm = Map::new();
        sm.insert("Id".into(), names.state_machine_arn.clone().into());
        sm.insert("Name".into(), names.state_machine_name.clone().into());
        let mut ctx = Map::new();
        ctx.insert("Execution".into(), Value::Object(exec));
        ctx.insert("State".into(), Value::Object(st));
        ctx.insert("StateMachine".into(), Value::Object(sm));
        if let Some(t) = token {
            let mut task = Map::new();
            task.insert("Token".into(), t.into());
            ctx.insert("Task".into(), Value::Object(task));
        }
        if let Some(it) = item {
            let mut item = Map::new();
            item.insert("Index".into(), it.index.into());
            item.insert("Value".into(), it.value.clone());
            let mut map = Map::new();
            map.insert("Item".into(), Value::Object(item));
            ctx.insert("Map".into(), Value::Object(map));
        }
        Value::Object(ctx)
    }
}
