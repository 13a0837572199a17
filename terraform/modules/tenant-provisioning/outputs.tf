output "task_execution_role_arn" {
  description = "Role the ECS agent uses for tenants' tasks (image pulls, logs)."
  value       = aws_iam_role.task_execution.arn
}

output "task_role_arn" {
  description = "Role the tenants' containers run as."
  value       = aws_iam_role.task.arn
}

output "role_arns" {
  description = "Both task roles: the only roles the provisioning Lambda may pass."
  value       = [aws_iam_role.task_execution.arn, aws_iam_role.task.arn]
}

output "security_group_id" {
  description = "Security group of the tenants' ECS services."
  value       = aws_security_group.services.id
}

output "log_group_name" {
  description = "Log group of the tenants' containers."
  value       = aws_cloudwatch_log_group.tenants.name
}

output "role_names" {
  description = "Names of both task roles (known at plan time, unlike their ARNs)."
  value       = [aws_iam_role.task_execution.name, aws_iam_role.task.name]
}
