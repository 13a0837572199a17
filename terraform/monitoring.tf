# Alarms on the workflow and the Lambdas, all to one SNS topic. Missing data (no executions,
# no invocations) is not an alarm.

resource "aws_sns_topic" "alarms" {
  # No KMS key: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed
  # aws/sns key, and a customer-managed key is the deployer's choice.
  name = "tenant-provisioning-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  state_machine_alarms = {
    failed    = { metric = "ExecutionsFailed", what = "failed" }
    timed-out = { metric = "ExecutionsTimedOut", what = "timed out" }
  }

  lambda_alarm_metrics = {
    errors    = "Errors"
    throttles = "Throttles"
  }

  lambda_alarms = merge([
    for key, name in local.function_names : {
      for alarm, metric in local.lambda_alarm_metrics :
      "${name}-${alarm}" => { function = name, metric = metric }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "state_machine" {
  for_each = local.state_machine_alarms

  alarm_name          = "${local.state_machine_name}-executions-${each.key}"
  alarm_description   = "A tenant provisioning execution ${each.value.what}: the tenant is not provisioned."
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  dimensions          = { StateMachineArn = aws_sfn_state_machine.tenant_provisioning.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "lambda" {
  for_each = local.lambda_alarms

  alarm_name          = each.key
  alarm_description   = "Lambda ${each.value.function} reported ${lower(each.value.metric)}."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.function }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  # The dimension names the function; create the alarm once the function exists.
  depends_on = [
    aws_lambda_function.tenant_registration,
    aws_lambda_function.tenant_provisioning,
    aws_lambda_function.tenant_status_checker,
  ]
}
