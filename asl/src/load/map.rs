//! Decoding of Map states: the item processor, where items come from, batching, result
//! writing and failure tolerance.

use super::parts;
use super::states::{Fields, branch};
use crate::model::{
    ExecutionType, ItemBatcher, ItemProcessor, ItemReader, Map, NumberField, Payload,
    ProcessorConfig, ProcessorMode, QueryLanguage, ResultWriter, StatePath,
};

impl Fields<'_, '_> {
    pub(super) fn map(&mut self, path: &StatePath) -> Option<Map> {
        let processor = self.item_processor(path);
        self.ctx
            .conflict(self.body, "ItemSelector", "Parameters", self.owner);
        let selector_is_legacy_parameters =
            self.get("Parameters").is_some() && self.get("ItemSelector").is_none();
        let selector_field = if selector_is_legacy_parameters {
            "Parameters"
        } else {
            "ItemSelector"
        };
        let item_selector = match self.ctx.language {
            QueryLanguage::JsonPath => self
                .template(selector_field)
                .map(|t| t.map(Payload::Template)),
            QueryLanguage::Jsonata => self
                .jsonata(selector_field)
                .map(|v| v.map(Payload::Jsonata)),
        };
        let items = self.jsonata("Items");
        let items_path = match self.get("ItemsPath") {
            Some(member) => self
                .ctx
                .reference_path("ItemsPath", &member.value)
                .map(Some),
            None => Some(None),
        };
        let item_reader = self.item_reader();
        let item_batcher = self.item_batcher();
        let result_writer = self.result_writer();
        let max_concurrency = self
            .ctx
            .integer_field(self.body, "MaxConcurrency", self.owner);
        let tolerated_failure_percentage =
            self.ctx
                .number_field(self.body, "ToleratedFailurePercentage", self.owner);
        if let Some(NumberField::Value(percentage)) = &tolerated_failure_percentage
            && !percentage
                .as_f64()
                .is_some_and(|p| (0.0..=100.0).contains(&p))
            && let Some(member) = self.get("ToleratedFailurePercentage")
        {
            self.ctx.invalid_value(
                "ToleratedFailurePercentage",
                &member.value,
                "a percentage between 0 and 100".to_string(),
            );
        }
        let tolerated_failure_count =
            self.ctx
                .integer_field(self.body, "ToleratedFailureCount", self.owner);
        let label = self.ctx.opt_string(self.body, "Label");
        let result_selector = self.template("ResultSelector");
        let result_path = self.ctx.opt_reference_or_null(self.body, "ResultPath");
        let (retry, catch) = self.retry_catch();
        let transition = self.transition();
        Some(Map {
            item_processor: processor?,
            items_path: items_path?,
            items: items?,
            item_selector: item_selector?,
            selector_is_legacy_parameters,
            item_reader: item_reader?,
            item_batcher: item_batcher?,
            result_writer: result_writer?,
            max_concurrency,
            tolerated_failure_percentage,
            tolerated_failure_count,
            label,
            result_selector: result_selector?,
            result_path,
            retry: retry?,
            catch: catch?,
            transition: transition?,
        })
    }

    fn item_processor(&mut self, path: &StatePath) -> Option<ItemProcessor> {
        if self
            .ctx
            .conflict(self.body, "ItemProcessor", "Iterator", self.owner)
        {
            return None;
        }
        let (member, is_legacy_iterator) = match (self.get("ItemProcessor"), self.get("Iterator")) {
            (Some(member), _) => (member, false),
            (None, Some(member)) => (member, true),
            (None, None) => {
                self.ctx.missing(
                    "ItemProcessor",
                    self.owner,
                    self.body.span,
                    "a Map state runs `\"ItemProcessor\": {\"StartAt\": ..., \"States\": {...}}` for each item".to_string(),
                );
                return None;
            }
        };
        let object = self.ctx.object(member)?;
        let owner = format!("the {} of state `{}`", member.key, self.name);
        let allowed: &[&str] = if is_legacy_iterator {
            &["Comment", "QueryLanguage", "StartAt", "States"]
        } else {
            &[
                "Comment",
                "QueryLanguage",
                "ProcessorConfig",
                "StartAt",
                "States",
            ]
        };
        self.ctx.check_fields(object, allowed, &owner);
        let processor_config = match object.get("ProcessorConfig") {
            Some(config) => {
                let config = self.ctx.object(config)?;
                self.ctx
                    .check_fields(config, &["Mode", "ExecutionType"], "ProcessorConfig");
                Some(ProcessorConfig {
                    mode: self.ctx.enum_value(
                        config,
                        "Mode",
                        &["INLINE", "DISTRIBUTED"],
                        ProcessorMode::parse,
                    ),
                    execution_type: self.ctx.enum_value(
                        config,
                        "ExecutionType",
                        &["STANDARD", "EXPRESS"],
                        ExecutionType::parse,
                    ),
                })
            }
            None => None,
        };
        let branch = branch(self.ctx, object, &owner, path, 0)?;
        Some(ItemProcessor {
            processor_config,
            branch,
            is_legacy_iterator,
        })
    }

    fn item_reader(&mut self) -> Option<Option<ItemReader>> {
        let Some(member) = self.get("ItemReader") else {
            return Some(None);
        };
        let object = self.ctx.object(member)?;
        let owner = format!("the ItemReader of state `{}`", self.name);
        self.ctx.check_fields(
            object,
            &["Resource", "ReaderConfig", "Parameters", "Arguments"],
            &owner,
        );
        let resource = match object.get("Resource") {
            Some(resource) => self.ctx.string("Resource", &resource.value),
            None => {
                self.ctx.missing(
                    "Resource",
                    &owner,
                    object.span,
                    "name the reader, e.g. `arn:aws:states:::s3:getObject`".to_string(),
                );
                None
            }
        };
        let parameters = match object.get("Parameters") {
            Some(parameters) => Some(parts::template_object(self.ctx, parameters)?),
            None => None,
        };
        Some(Some(ItemReader {
            resource: resource?,
            reader_config: object.get("ReaderConfig").map(|m| m.value.to_value()),
            parameters,
            arguments: object.get("Arguments").map(|m| m.value.to_value()),
        }))
    }

    fn item_batcher(&mut self) -> Option<Option<ItemBatcher>> {
        let Some(member) = self.get("ItemBatcher") else {
            return Some(None);
        };
        let object = self.ctx.object(member)?;
        let owner = format!("the ItemBatcher of state `{}`", self.name);
        self.ctx.check_fields(
            object,
            &[
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                "BatchInput",
            ],
            &owner,
        );
        Some(Some(ItemBatcher {
            max_items_per_batch: self.ctx.integer_field(object, "MaxItemsPerBatch", &owner),
            max_input_bytes_per_batch: self.ctx.integer_field(
                object,
                "MaxInputBytesPerBatch",
                &owner,
            ),
            batch_input: object.get("BatchInput").map(|m| m.value.to_value()),
        }))
    }

    fn result_writer(&mut self) -> Option<Option<ResultWriter>> {
        let Some(member) = self.get("ResultWriter") else {
            return Some(None);
        };
        let object = self.ctx.object(member)?;
        let owner = format!("the ResultWriter of state `{}`", self.name);
        self.ctx.check_fields(
            object,
            &["Resource", "Parameters", "Arguments", "WriterConfig"],
            &owner,
        );
        let parameters = match object.get("Parameters") {
            Some(parameters) => Some(parts::template_object(self.ctx, parameters)?),
            None => None,
        };
        Some(Some(ResultWriter {
            resource: self.ctx.opt_string(object, "Resource"),
            parameters,
            arguments: object.get("Arguments").map(|m| m.value.to_value()),
            writer_config: object.get("WriterConfig").map(|m| m.value.to_value()),
        }))
    }
}
