# The seed's variables (same names and defaults), then what the Lambdas' configuration needs.

variable "aws_region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name"
  type        = string
  default     = "production"
}

variable "vpc_id" {
  description = "VPC ID for resources"
  type        = string
  default     = "vpc-074fbfda710f9a931"
}

variable "private_subnet_ids" {
  description = "Private subnet IDs"
  type        = list(string)
  default     = ["subnet-03b9c8ef4c78431c5", "subnet-01859110d63358d8f"]

  validation {
    condition     = length(var.private_subnet_ids) > 0
    error_message = "private_subnet_ids needs at least one subnet for the Lambdas and the tenants' services."
  }
}

variable "ecs_cluster_name" {
  description = "ECS cluster name"
  type        = string
  default     = "moamalat-cluster"
}

variable "alb_arn" {
  description = "Application Load Balancer ARN"
  type        = string
  default     = "arn:aws:elasticloadbalancing:us-east-1:339712855370:loadbalancer/app/moamalat-alb/25303afaeb8924d6"
}

variable "route53_zone_id" {
  description = "Route53 hosted zone ID"
  type        = string
  default     = "Z01557883SJQKW0ELRWJQ"
}

variable "domain_name" {
  description = "Domain name for tenants"
  type        = string
  default     = "moamalat-pro.com"
}

# Not in the seed: the registration Lambda's existing user pool, the tenants' database and
# container images, and operational settings.

variable "alb_listener_port" {
  description = "Port of the ALB listener that receives the tenants' host-header rules."
  type        = number
  default     = 443
}

variable "cognito_user_pool_id" {
  description = "Existing Cognito user pool the registration Lambda creates users in (for example us-east-1_AbCdEf123)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+_[0-9A-Za-z]+$", var.cognito_user_pool_id))
    error_message = "cognito_user_pool_id must look like REGION_ID, for example us-east-1_AbCdEf123."
  }
}

variable "database_url" {
  description = "PostgreSQL endpoint the provisioning Lambda creates tenant schemas and login roles on, without credentials: postgres://<endpoint>:5432/<db>?sslmode=verify-full. The user and password are read from database_master_secret_arn at run time."
  type        = string

  validation {
    condition     = can(regex("^postgres(ql)?://", var.database_url))
    error_message = "database_url must be a postgres:// or postgresql:// URL."
  }

  validation {
    # user:password@ in the authority, or a password= parameter.
    condition     = !can(regex("^postgres(ql)?://[^/?#@]*:[^/?#@]*@", var.database_url)) && !can(regex("[?&]password=", var.database_url))
    error_message = "database_url must not hold a password (it would sit in the function's configuration and in Terraform state): leave user:password@ out and set database_master_secret_arn."
  }
}

variable "database_master_secret_arn" {
  description = "Secrets Manager secret holding the master user's credentials as JSON {\"username\", \"password\"}: the secret RDS creates with manage_master_user_password = true (aws_db_instance's master_user_secret[0].secret_arn), or one created outside Terraform. Terraform stores only this ARN."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.database_master_secret_arn))
    error_message = "database_master_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX)."
  }
}

variable "backend_image" {
  description = "Container image of the tenants' backend; null means ACCOUNT.dkr.ecr.REGION.amazonaws.com/tenant-backend:latest."
  type        = string
  default     = null
}

variable "frontend_image" {
  description = "Container image of the tenants' frontend; null means ACCOUNT.dkr.ecr.REGION.amazonaws.com/tenant-frontend:latest."
  type        = string
  default     = null
}

variable "lambda_package_dir" {
  description = "Folder holding tenant-registration.zip, tenant-provisioning.zip and tenant-status-checker.zip (each a `bootstrap` binary), as scripts/package-lambdas.sh writes them."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "Instruction set the Lambda packages are built for: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "state_machine_definition_file" {
  description = "ASL template of the workflow (flowc's output with $${provisioning} and $${status_checker} placeholders); null means workflows/tenant_provisioning.asl.json in this repository."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of every log group (Lambdas, state machine, tenant containers), in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null subscribes nobody (subscribe your own endpoint to the topic output)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables from deletion (turn off only for throwaway environments)."
  type        = bool
  default     = true
}

variable "tenants_table_name" {
  description = "DynamoDB table of tenants (created here)."
  type        = string
  default     = "tenants"
}

variable "registrations_table_name" {
  description = "DynamoDB table of user registrations (created here)."
  type        = string
  default     = "tenant-registrations"
}

variable "adopt_existing_registration" {
  description = "true when the account already has the tenant-registrations table and the tenant-registration function (the seed's production account): they are imported (adopt.tf) rather than created, with no replacement. false creates them (a fresh account)."
  type        = bool
  default     = false
}

variable "lambda_error_alarm" {
  description = "When a Lambda's errors alarm (monitoring.tf): at least min_errors errors and percent % of its invocations failing in a five-minute period, in periods_to_alarm of the last periods periods. A user's taken subdomain is an error of the registration Lambda, so one error must not page anyone."
  type = object({
    min_errors       = number
    percent          = number
    periods          = number
    periods_to_alarm = number
  })
  default = { min_errors = 5, percent = 20, periods = 3, periods_to_alarm = 2 }

  validation {
    condition = (
      var.lambda_error_alarm.min_errors >= 1 && var.lambda_error_alarm.percent > 0 && var.lambda_error_alarm.percent <= 100
      && var.lambda_error_alarm.periods_to_alarm >= 1 && var.lambda_error_alarm.periods_to_alarm <= var.lambda_error_alarm.periods
    )
    error_message = "lambda_error_alarm needs min_errors >= 1, 0 < percent <= 100 and 1 <= periods_to_alarm <= periods."
  }
}
