//! The examples of AWS's Step Functions developer guide, each in a whole state machine: they
//! load, pass `flowc check` without an error, decompile, and compile back to equal JSON with no
//! `--bind`. Each names the page it comes from (the page's address under
//! docs.aws.amazon.com/step-functions/latest/dg/); the values are the documentation's own, the
//! surrounding machine is the least that makes a valid definition.

use flowc::decompile::decompile;
use flowc::{Bindings, check, compile};
use miette::{Diagnostic, Severity};
use serde_json::{Value, json};

/// A machine that runs `state` (named `name`) and then ends.
fn machine_around(name: &str, mut state: Value) -> Value {
    state["End"] = json!(true);
    json!({ "StartAt": name, "States": { name: state } })
}

/// Load, check, decompile, compile, compare: `Err` says which step failed.
fn loads_checks_and_round_trips(definition: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(definition).map_err(|e| e.to_string())?;
    let loaded = flowc_asl::load(&text, "example.asl.json").map_err(|errors| {
        let all: Vec<String> = errors.errors().iter().map(|e| format!("{e:?}")).collect();
        format!("load: {}", all.join("; "))
    })?;
    let errors: Vec<String> = check(&loaded.machine, &loaded.spans)
        .into_iter()
        .filter(|f| !matches!(f.severity(), Some(Severity::Warning)))
        .map(|f| f.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(format!("check: {errors:?}"));
    }
    let decompiled = decompile(&loaded.machine).map_err(|e| format!("decompile: {e}"))?;
    let lowered = compile(&decompiled.text, &Bindings::new())
        .map_err(|e| format!("compile: {e:?}\n{}", decompiled.text))?;
    let back: Value = serde_json::from_str(&flowc_asl::emit(&lowered.machine))
        .map_err(|e| format!("emitted JSON: {e}"))?;
    if &back != definition {
        return Err(format!(
            "round trip differs\n--- .flow\n{}\n--- back\n{back:#}",
            decompiled.text
        ));
    }
    Ok(())
}

fn assert_all(page: &str, examples: Vec<(&str, Value)>) {
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|(what, definition)| {
            loads_checks_and_round_trips(definition)
                .err()
                .map(|why| format!("{page}: {what}: {why}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const LAMBDA: &str = "arn:aws:lambda:us-east-2:123456789012:function:ship-val";

#[test]
fn paths_page_examples() {
    // amazon-states-language-paths.html
    assert_all(
        "amazon-states-language-paths",
        vec![
            (
                "bracket notation after a dot: $.abc.['def ghi']",
                machine_around(
                    "P",
                    json!({"Type": "Pass", "InputPath": "$.abc.['def ghi']"}),
                ),
            ),
            (
                "reference paths $.foo, $.bar, $.car.cdr",
                machine_around(
                    "P",
                    json!({"Type": "Pass", "Parameters": {
                        "foo.$": "$.foo", "bar.$": "$.bar", "cdr.$": "$.car.cdr"
                    }, "ResultPath": "$.car.cdr"}),
                ),
            ),
            (
                "flattening an array of arrays: \"flattenArray.$\": \"$[*][*]\"",
                machine_around(
                    "Par",
                    json!({"Type": "Parallel", "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": [1], "End": true}}},
                        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": [2], "End": true}}}
                    ], "ResultSelector": {"flattenArray.$": "$[*][*]"}}),
                ),
            ),
            (
                "Jayway forms seen in definitions: dot before bracket, filters, trailing blank",
                machine_around(
                    "P",
                    json!({"Type": "Pass", "Parameters": {
                        "first.$": "$.[0]",
                        "id.$": "$.items.[0].id",
                        "all.$": "$.[*]",
                        "positive.$": "$.[?(@.n > 0)]",
                        "cheap.$": "$.store.book[?(@.price < 10)].title",
                        "tagged.$": "$..book[?(@.isbn)]",
                        "execution.$": "$$.Execution.Id "
                    }}),
                ),
            ),
        ],
    );
}

#[test]
fn input_and_output_processing_examples() {
    // input-output-inputpath-params.html, input-output-example.html, input-output-contextobject.html
    assert_all(
        "input-output-inputpath-params / input-output-contextobject",
        vec![
            (
                "InputPath and Parameters with static and .$ values",
                machine_around(
                    "X",
                    json!({"Type": "Task", "Resource": LAMBDA, "InputPath": "$.library",
                        "Parameters": {"comment": "Example for Parameters.",
                            "product": {"details": {"color": "blue", "size": "small",
                                "material": "cotton"}, "availability": "in stock",
                                "sku": "2317", "cost": "$23"}},
                        "ResultSelector": {"ClusterId.$": "$.output.ClusterId",
                            "ResourceType.$": "$.resourceType"},
                        "ResultPath": "$.EMROutput", "OutputPath": "$.EMROutput"}),
                ),
            ),
            (
                "the context object",
                machine_around(
                    "P",
                    json!({"Type": "Pass", "Parameters": {"comment": "Selecting what I care about.",
                        "MyDetails": {"size.$": "$.product.details.size",
                            "exists.$": "$.product.availability", "StaticValue": "foo"},
                        "ExecutionId.$": "$$.Execution.Id", "StartTime.$": "$$.Execution.StartTime"}}),
                ),
            ),
        ],
    );
}

#[test]
fn intrinsic_functions_page_examples() {
    // intrinsic-functions.html
    assert_all(
        "intrinsic-functions",
        vec![(
            "every function as the page calls it",
            machine_around(
                "P",
                json!({"Type": "Pass", "Parameters": {
                    "format.$": "States.Format('Hello, my name is {}.', $.name)",
                    "toJson.$": "States.StringToJson($.escapedJsonString)",
                    "toString.$": "States.JsonToString($.unescapedJson)",
                    "array.$": "States.Array('Foo', 2020, $.someJson, null)",
                    "partition.$": "States.ArrayPartition($.inputArray,4)",
                    "contains.$": "States.ArrayContains($.inputArray, $.lookingFor)",
                    "range.$": "States.ArrayRange(1, 9, 2)",
                    "item.$": "States.ArrayGetItem($.inputArray, $.index)",
                    "length.$": "States.ArrayLength($.inputArray)",
                    "unique.$": "States.ArrayUnique($.inputArray)",
                    "encoded.$": "States.Base64Encode($.input)",
                    "decoded.$": "States.Base64Decode($.base64)",
                    "hash.$": "States.Hash($.Data, $.Algorithm)",
                    "merged.$": "States.JsonMerge($.json1, $.json2, false)",
                    "random.$": "States.MathRandom($.start, $.end)",
                    "sum.$": "States.MathAdd($.value1, $.step)",
                    "split.$": "States.StringSplit($.inputString, $.splitter)",
                    "uuid.$": "States.UUID()"
                }}),
            ),
        )],
    );
}

#[test]
fn map_page_examples() {
    // state-map.html, state-map-inline.html, input-output-itemselector.html
    let processor = json!({"StartAt": "Validate", "States": {
        "Validate": {"Type": "Task", "Resource": LAMBDA, "End": true}}});
    let mut inline = processor.clone();
    inline["ProcessorConfig"] = json!({"Mode": "INLINE"});
    assert_all(
        "state-map / state-map-inline / input-output-itemselector",
        vec![
            (
                "inline Map with ItemsPath, MaxConcurrency 0 and ResultPath",
                machine_around(
                    "Validate-All",
                    json!({"Type": "Map", "InputPath": "$.detail", "ItemsPath": "$.shipped",
                        "MaxConcurrency": 0, "ItemProcessor": inline,
                        "ResultPath": "$.detail.shipped"}),
                ),
            ),
            (
                "ItemSelector with the context object's Map.Item",
                machine_around(
                    "Validate-All",
                    json!({"Type": "Map", "ItemsPath": "$.detail.shipped",
                        "ItemSelector": {"parcel.$": "$$.Map.Item.Value",
                            "courier.$": "$.delivery-partner",
                            "ContextIndex.$": "$$.Map.Item.Index"},
                        "ItemProcessor": inline}),
                ),
            ),
            (
                "the legacy form: Iterator and Parameters",
                machine_around(
                    "Validate-All",
                    json!({"Type": "Map", "InputPath": "$.detail", "ItemsPath": "$.shipped",
                        "MaxConcurrency": 0,
                        "Parameters": {"parcel.$": "$$.Map.Item.Value",
                            "courier.$": "$.delivery-partner"},
                        "Iterator": processor, "ResultPath": "$.detail.shipped"}),
                ),
            ),
        ],
    );
}

#[test]
fn distributed_map_page_examples() {
    // state-map-distributed.html, input-output-itemreader.html, input-output-itembatcher.html,
    // input-output-resultwriter.html, maxconcurrency / tolerated-failure sections.
    let distributed = |execution: &str| {
        json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution},
            "StartAt": "Process", "States": {
                "Process": {"Type": "Task", "Resource": LAMBDA, "End": true}}})
    };
    let map = |fields: Value| {
        let mut state = json!({"Type": "Map", "ItemProcessor": distributed("STANDARD")});
        if let (Some(state), Value::Object(fields)) = (state.as_object_mut(), fields) {
            state.extend(fields);
        }
        machine_around("Map", state)
    };
    let get_object = |config: Value, key: &str| {
        json!({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
            "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": key}})
    };
    assert_all(
        "state-map-distributed / input-output-itemreader / itembatcher / resultwriter",
        vec![
            (
                "ItemReader: CSV, headers in the first row, a version",
                map(json!({"ItemReader": {"ReaderConfig": {"InputType": "CSV",
                    "CSVHeaderLocation": "FIRST_ROW"},
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "myBucket", "Key": "csvDataset/ratings.csv",
                        "VersionId": "BcK42coT2jE1234VHLUvBV1yLNod2OEt"}}})),
            ),
            (
                "ItemReader: CSV, given headers and a delimiter",
                map(json!({"ItemReader": get_object(json!({"InputType": "CSV",
                    "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["userId", "movieId", "rating"],
                    "CSVDelimiter": "PIPE"}), "ratings.csv")})),
            ),
            (
                "ItemReader: a JSON file",
                map(
                    json!({"ItemReader": get_object(json!({"InputType": "JSON"}),
                    "jsonDataset/factcheck.json")}),
                ),
            ),
            (
                "ItemReader: a JSON Lines file, MaxItems",
                map(json!({"ItemReader": get_object(json!({"InputType": "JSONL",
                    "MaxItems": 100}), "data.jsonl")})),
            ),
            (
                "ItemReader: an S3 inventory manifest",
                map(
                    json!({"ItemReader": get_object(json!({"InputType": "MANIFEST"}),
                    "destination-prefix/source-bucket/config-id/YYYY-MM-DDTHH-MMZ/manifest.json")}),
                ),
            ),
            (
                "ItemReader: an S3 listing (ListObjectsV2)",
                map(
                    json!({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Prefix": "processData"}}}),
                ),
            ),
            (
                "ItemBatcher with BatchInput",
                map(
                    json!({"ItemsPath": "$.items", "ItemBatcher": {"MaxItemsPerBatch": 10,
                    "MaxInputBytesPerBatch": 2560, "BatchInput": {"factCheck": "TRUE"}}}),
                ),
            ),
            (
                "ItemBatcher from paths",
                map(
                    json!({"ItemBatcher": {"MaxItemsPerBatchPath": "$.batchSize",
                    "MaxInputBytesPerBatchPath": "$.batchBytes"}}),
                ),
            ),
            (
                "ResultWriter to a prefix",
                map(
                    json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket",
                        "Prefix": "csvProcessJobs"}}}),
                ),
            ),
            (
                "ResultWriter with WriterConfig",
                map(
                    json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket",
                        "Prefix": "csvProcessJobs"},
                    "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}}}),
                ),
            ),
            (
                "tolerated failures, label, concurrency",
                map(json!({"ItemsPath": "$.items", "MaxConcurrency": 1000,
                    "ToleratedFailurePercentage": 5, "ToleratedFailureCount": 10,
                    "Label": "ratings"})),
            ),
            (
                "tolerated failures from paths",
                map(json!({"ItemsPath": "$.items",
                    "ToleratedFailurePercentagePath": "$.percent",
                    "ToleratedFailureCountPath": "$.count",
                    "MaxConcurrencyPath": "$.concurrency"})),
            ),
            (
                "EXPRESS child executions",
                machine_around(
                    "Map",
                    json!({"Type": "Map", "ItemsPath": "$.items",
                        "ItemProcessor": distributed("EXPRESS")}),
                ),
            ),
        ],
    );
}

#[test]
fn jsonata_and_variables_page_examples() {
    // transforming-data.html (a Task's Parameters converted to JSONata Arguments) and
    // workflow-variables.html (Assign in both query languages).
    let task = |mut state: Value| {
        state["Type"] = json!("Task");
        state["Resource"] = json!(LAMBDA);
        state
    };
    assert_all(
        "transforming-data / workflow-variables",
        vec![
            (
                "JSONPath Parameters reading a path and a variable",
                machine_around(
                    "T",
                    task(json!({"QueryLanguage": "JSONPath", "Parameters": {
                        "static": "Hello",
                        "title.$": "$.title",
                        "name.$": "$customerName",
                        "not-evaluated": "$customerName"
                    }})),
                ),
            ),
            (
                "the same converted to JSONata Arguments",
                machine_around(
                    "T",
                    task(json!({"QueryLanguage": "JSONata", "Arguments": {
                        "static": "Hello",
                        "title": "{% $states.input.title %}",
                        "name": "{% $customerName %}",
                        "not-evaluated": "$customerName"
                    }})),
                ),
            ),
            (
                "Assign of literal values",
                machine_around(
                    "P",
                    json!({"Type": "Pass", "Assign": {
                        "productName": "product1", "count": 42, "available": true
                    }}),
                ),
            ),
            (
                "JSONata Assign from the input and the result",
                json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": task(json!({
                    "Assign": {
                        "product": "{% $states.input.order.product %}",
                        "currentPrice": "{% $states.result.Payload.current_price %}"
                    },
                    "End": true
                }))}}),
            ),
        ],
    );
}
