# Tenant provisioning: three Lambdas driven by a Step Functions workflow compiled by flowc
# (workflows/tenant_provisioning.asl.json), two DynamoDB tables, least-privilege IAM and alarms.
#
# The VPC, private subnets, ALB (and its listener), Route53 zone, ECS cluster and Cognito user
# pool already exist: they come in as variables (production.tfvars) and are only read here.

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

# Region and credentials come from the variables and the standard AWS environment
# (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...). AWS_ENDPOINT_URL points the whole provider at a local
# emulator (scripts/tf-local.sh); no endpoint override lives in the configuration.
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "tenant-provisioning"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_vpc" "selected" {
  id = var.vpc_id
}

data "aws_lb" "shared" {
  arn = var.alb_arn
}

# The listener tenants' host-header rules are added to; looked up by port so production.tfvars
# only needs the seed's ALB ARN.
data "aws_lb_listener" "tenants" {
  load_balancer_arn = var.alb_arn
  port              = var.alb_listener_port
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = var.aws_region

  function_names = {
    registration   = "tenant-registration"
    provisioning   = "tenant-provisioning"
    status_checker = "tenant-status-checker"
  }

  state_machine_name                = "tenant-provisioning-workflow"
  deprovisioning_state_machine_name = "tenant-deprovisioning-workflow"
  # Built from its parts rather than read from aws_sfn_state_machine: the state machine depends
  # on the Lambdas (its definition holds their ARNs), so the Lambdas' environment and policies
  # cannot refer to the resource without a dependency cycle.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"

  cluster_arn        = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.ecs_cluster_name}"
  cognito_pool_arn   = "arn:${local.partition}:cognito-idp:${local.region}:${local.account_id}:userpool/${var.cognito_user_pool_id}"
  hosted_zone_arn    = "arn:${local.partition}:route53:::hostedzone/${var.route53_zone_id}"
  listener_arn       = data.aws_lb_listener.tenants.arn
  listener_rules_arn = "${replace(local.listener_arn, ":listener/", ":listener-rule/")}/*"

  backend_image  = coalesce(var.backend_image, "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com/tenant-backend:latest")
  frontend_image = coalesce(var.frontend_image, "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com/tenant-frontend:latest")
}

# What every tenant's ECS services share: task roles, security group and log group.
module "tenant_provisioning" {
  source = "./modules/tenant-provisioning"

  name_prefix            = "tenant"
  vpc_id                 = var.vpc_id
  alb_security_group_ids = data.aws_lb.shared.security_groups
  log_retention_days     = var.log_retention_days
  ecr_repository_arns = [
    "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/*",
  ]
}
