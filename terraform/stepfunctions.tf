# The workflow is flowc's compiled output (workflows/tenant_provisioning.asl.json, committed and
# checked for staleness by the test suite); it is never hand-edited here. flowc emits each
# Lambda resource as a templatefile() placeholder named after the DSL's resource declaration:
# ${provisioning} and ${status_checker}.

locals {
  state_machine_definition_file = coalesce(
    var.state_machine_definition_file,
    "${path.module}/../workflows/tenant_provisioning.asl.json",
  )
}

resource "aws_cloudwatch_log_group" "state_machine" {
  # /aws/vendedlogs/ keeps the log group's resource policy small when there are many
  # log-delivering resources (AWS recommends this prefix for Step Functions).
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_sfn_state_machine" "tenant_provisioning" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.step_functions.arn

  definition = templatefile(local.state_machine_definition_file, {
    provisioning   = aws_lambda_function.tenant_provisioning.arn
    status_checker = aws_lambda_function.tenant_status_checker.arn
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.step_functions_observability, aws_iam_role_policy.step_functions_invoke]
}

# Deprovisioning: workflows/tenant_deprovisioning.asl.json, flowc's output too. It calls only
# the provisioning Lambda (the teardown actions live there, with the rights they need), through
# the same role as the provisioning workflow.
resource "aws_cloudwatch_log_group" "deprovisioning_state_machine" {
  name              = "/aws/vendedlogs/states/${local.deprovisioning_state_machine_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_sfn_state_machine" "tenant_deprovisioning" {
  name     = local.deprovisioning_state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.step_functions.arn

  definition = templatefile("${path.module}/../workflows/tenant_deprovisioning.asl.json", {
    provisioning = aws_lambda_function.tenant_provisioning.arn
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.deprovisioning_state_machine.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.step_functions_observability, aws_iam_role_policy.step_functions_invoke]
}
