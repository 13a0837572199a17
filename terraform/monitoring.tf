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
}

# A failed or timed-out execution is a tenant that paid and was not provisioned (rolled back and
# marked FAILED): each one needs a person, so one is enough to alarm.
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

# A single Lambda error is not an incident: the registration Lambda answers a taken subdomain or
# a malformed e-mail with an error (Tenant.SubdomainTaken, Tenant.InvalidRequest), and the
# workflow retries the other two Lambdas' transient errors. Errors alarm only when they are both
# several (lambda_error_alarm.min_errors in a period) and a share of the calls
# (lambda_error_alarm.percent), in lambda_error_alarm.periods_to_alarm of the last
# lambda_error_alarm.periods five-minute periods: a broken deployment or a dead dependency,
# not a user's typo. Throttles alarm when they recur in the same window (one burst is absorbed
# by the workflow's retries).
resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.function_names

  alarm_name          = "${each.value}-errors"
  alarm_description   = "Lambda ${each.value}: at least ${var.lambda_error_alarm.min_errors} errors and ${var.lambda_error_alarm.percent}% of its invocations failing in ${var.lambda_error_alarm.periods_to_alarm} of ${var.lambda_error_alarm.periods} five-minute periods."
  evaluation_periods  = var.lambda_error_alarm.periods
  datapoints_to_alarm = var.lambda_error_alarm.periods_to_alarm
  threshold           = var.lambda_error_alarm.percent
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id          = "failing_percent"
    label       = "Failing invocations (%) when at least ${var.lambda_error_alarm.min_errors} failed"
    expression  = "IF(errors >= ${var.lambda_error_alarm.min_errors}, 100 * errors / invocations, 0)"
    return_data = true
  }

  # The dimension names the function; create the alarm once the function exists.
  depends_on = [
    aws_lambda_function.tenant_registration,
    aws_lambda_function.tenant_provisioning,
    aws_lambda_function.tenant_status_checker,
  ]
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.function_names

  alarm_name          = "${each.value}-throttles"
  alarm_description   = "Lambda ${each.value} was throttled in ${var.lambda_error_alarm.periods_to_alarm} of ${var.lambda_error_alarm.periods} five-minute periods: raise its concurrency or the account's."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = var.lambda_error_alarm.periods
  datapoints_to_alarm = var.lambda_error_alarm.periods_to_alarm
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  depends_on = [
    aws_lambda_function.tenant_registration,
    aws_lambda_function.tenant_provisioning,
    aws_lambda_function.tenant_status_checker,
  ]
}

# Deployments made before the errors and throttles alarms were split keep their alarms.
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-registration-errors"]
  to   = aws_cloudwatch_metric_alarm.lambda_errors["registration"]
}
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-provisioning-errors"]
  to   = aws_cloudwatch_metric_alarm.lambda_errors["provisioning"]
}
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-status-checker-errors"]
  to   = aws_cloudwatch_metric_alarm.lambda_errors["status_checker"]
}
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-registration-throttles"]
  to   = aws_cloudwatch_metric_alarm.lambda_throttles["registration"]
}
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-provisioning-throttles"]
  to   = aws_cloudwatch_metric_alarm.lambda_throttles["provisioning"]
}
moved {
  from = aws_cloudwatch_metric_alarm.lambda["tenant-status-checker-throttles"]
  to   = aws_cloudwatch_metric_alarm.lambda_throttles["status_checker"]
}
