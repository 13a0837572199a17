terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

# What every tenant's ECS services share. The provisioning Lambda creates per-tenant task
# definitions and services at run time; they use these roles (passed with iam:PassRole, which
# the Lambda may do for these two roles only), this security group and this log group.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # Built from the name, not read from the resource, so the plan shows the policy in full.
  log_group_name = "/ecs/${var.name_prefix}-services"
  log_group_arn  = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group_name}"
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Used by the ECS agent to pull images and write container logs.
resource "aws_iam_role" "task_execution" {
  name               = "${var.name_prefix}-task-execution-role"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid = "EcrAuthToken"
    # ecr:GetAuthorizationToken supports no resource-level permissions: AWS requires "*".
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = var.ecr_repository_arns
  }

  statement {
    sid = "TenantDatabaseSecrets"
    # ECS reads a task definition's `secrets` (the backend's DATABASE_CREDENTIALS) with this
    # role when a task starts: the tenants' secrets only, nothing else in Secrets Manager.
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${data.aws_partition.current.partition}:secretsmanager:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:secret:tenants/*"]
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "${var.name_prefix}-task-execution"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# Assumed by the tenants' own containers. It grants nothing yet: the applications reach
# PostgreSQL over the network, not through AWS APIs; add statements here when they need some.
resource "aws_iam_role" "task" {
  name               = "${var.name_prefix}-task-role"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_cloudwatch_log_group" "tenants" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_security_group" "services" {
  name        = "${var.name_prefix}-services"
  description = "Tenant ECS services: reachable from the shared ALB only"
  vpc_id      = var.vpc_id
}

# Every TCP port, but only from the ALB: each tenant's target group picks its container port,
# and the ALB is the only way in.
resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  for_each = toset(var.alb_security_group_ids)

  # No description: moto 5.2 drops it on rules that reference a security group, and the
  # local apply test re-plans expecting no changes.
  security_group_id            = aws_security_group.services.id
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = each.value
}

# Tenant applications call out to the database, the image registry and third-party APIs.
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.services.id
  description       = "Outbound from tenant services"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
