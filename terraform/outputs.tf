# The seed's outputs first, then what a deployer and the Lambdas' operators need.

output "registration_lambda_arn" {
  description = "Registration Lambda function ARN"
  value       = aws_lambda_function.tenant_registration.arn
}

output "provisioning_lambda_arn" {
  description = "Provisioning Lambda function ARN"
  value       = aws_lambda_function.tenant_provisioning.arn
}

output "step_function_arn" {
  description = "Step Functions state machine ARN"
  value       = aws_sfn_state_machine.tenant_provisioning.arn
}

output "deprovisioning_step_function_arn" {
  description = "Step Functions state machine that deprovisions a tenant (input: tenant_id, subdomain)"
  value       = aws_sfn_state_machine.tenant_deprovisioning.arn
}

output "tenants_table_name" {
  description = "Tenants DynamoDB table name"
  value       = aws_dynamodb_table.tenants.name
}

output "status_checker_lambda_arn" {
  description = "Status checker Lambda function ARN"
  value       = aws_lambda_function.tenant_status_checker.arn
}

output "step_function_name" {
  description = "Step Functions state machine name"
  value       = aws_sfn_state_machine.tenant_provisioning.name
}

output "step_function_log_group" {
  description = "Log group receiving the state machine's execution logs (level ALL)"
  value       = aws_cloudwatch_log_group.state_machine.name
}

output "tenants_table_stream_arn" {
  description = "Stream of tenant changes (new and old images)"
  value       = aws_dynamodb_table.tenants.stream_arn
}

output "registrations_table_name" {
  description = "Registrations DynamoDB table name"
  value       = aws_dynamodb_table.tenant_registrations.name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to; subscribe on-call endpoints here"
  value       = aws_sns_topic.alarms.arn
}

output "lambda_security_group_id" {
  description = "Security group of the three Lambdas (allow it into the database's security group on 5432)"
  value       = aws_security_group.lambda.id
}

output "tenant_services_security_group_id" {
  description = "Security group the provisioning Lambda puts tenants' ECS services in"
  value       = module.tenant_provisioning.security_group_id
}

output "tenant_task_execution_role_arn" {
  description = "Execution role of tenants' ECS tasks"
  value       = module.tenant_provisioning.task_execution_role_arn
}

output "tenant_task_role_arn" {
  description = "Task role of tenants' ECS tasks"
  value       = module.tenant_provisioning.task_role_arn
}

output "alb_listener_arn" {
  description = "Listener the tenants' host-header rules are added to"
  value       = local.listener_arn
}
