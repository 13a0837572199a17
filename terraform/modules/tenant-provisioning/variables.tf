variable "name_prefix" {
  description = "Prefix of the shared resources' names (roles, security group, log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC the tenants' ECS services run in."
  type        = string
}

variable "alb_security_group_ids" {
  description = "Security groups of the shared ALB; only they may reach the tenants' containers."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the tenants' container log group, in days."
  type        = number
}

variable "ecr_repository_arns" {
  description = "ECR repositories the tenants' task execution role may pull images from."
  type        = list(string)
}
