# The seed's production values.
aws_region         = "us-east-1"
environment        = "production"
vpc_id             = "vpc-074fbfda710f9a931"
private_subnet_ids = ["subnet-03b9c8ef4c78431c5", "subnet-01859110d63358d8f"]
ecs_cluster_name   = "moamalat-cluster"
alb_arn            = "arn:aws:elasticloadbalancing:us-east-1:339712855370:loadbalancer/app/moamalat-alb/25303afaeb8924d6"
route53_zone_id    = "Z01557883SJQKW0ELRWJQ"
domain_name        = "moamalat-pro.com"

# The seed: "tenant-registration (existing, enhanced)", "tenant-registrations (existing)".
adopt_existing_registration = true

# Not in the seed, so not set here: pass them at plan time (see README.md, "Deploy").
#   cognito_user_pool_id  -var cognito_user_pool_id=us-east-1_XXXXXXXXX
#   database_url                -var database_url=postgres://<endpoint>:5432/<db>?sslmode=verify-full
#                               (no credentials: a password in it is refused)
#   database_master_secret_arn  -var database_master_secret_arn=arn:aws:secretsmanager:...:secret:rds!db-...
