#!/usr/bin/env python3
"""Creates stand-ins for the seed's existing infrastructure in a local AWS emulator.

    existing_infra.py OUT.tfvars.json

The configuration reads a VPC, private subnets, an ALB with a listener, a Route53 hosted zone,
an ECS cluster and a Cognito user pool that production already has (production.tfvars). Against
moto's server (AWS_ENDPOINT_URL) this makes one of each and writes the variables that point the
configuration at them, as a tfvars JSON file. boto3 rather than a Terraform fixture: the
provider's ALB waiter alone would add a minute to every run.
"""

from __future__ import annotations

import json
import os
import sys

import boto3

REGION = os.environ.get("AWS_REGION", "us-east-1")
DOMAIN = "tenants.flowc.test"
LISTENER_PORT = 80


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.environ.get("AWS_ENDPOINT_URL"):
        print("existing_infra: AWS_ENDPOINT_URL is unset; refusing to create resources in a real account",
              file=sys.stderr)
        return 2
    session = boto3.session.Session(region_name=REGION)
    ec2 = session.client("ec2")
    elbv2 = session.client("elbv2")

    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.42.{i}.0/24",
                          AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    alb_sg = ec2.create_security_group(GroupName="shared-alb", Description="shared ALB",
                                       VpcId=vpc_id)["GroupId"]
    alb = elbv2.create_load_balancer(Name="shared-alb", Subnets=subnet_ids,
                                     SecurityGroups=[alb_sg], Scheme="internet-facing",
                                     Type="application")["LoadBalancers"][0]
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=LISTENER_PORT,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "no such tenant"}}],
    )
    zone_id = session.client("route53").create_hosted_zone(
        Name=DOMAIN, CallerReference="flowc-tf-local")["HostedZone"]["Id"].split("/")[-1]
    cluster = "tenants-test-cluster"
    session.client("ecs").create_cluster(clusterName=cluster)
    pool_id = session.client("cognito-idp").create_user_pool(PoolName="tenants")["UserPool"]["Id"]
    # The master secret as RDS makes it with manage_master_user_password: outside Terraform.
    master_secret = session.client("secretsmanager").create_secret(
        Name="rds!db-tenants-local",
        SecretString=json.dumps({"username": "provisioner", "password": "local"}))["ARN"]

    variables = {
        "aws_region": REGION,
        "environment": "local",
        "vpc_id": vpc_id,
        "private_subnet_ids": subnet_ids,
        "ecs_cluster_name": cluster,
        "alb_arn": alb["LoadBalancerArn"],
        "alb_listener_port": LISTENER_PORT,
        "route53_zone_id": zone_id,
        "domain_name": DOMAIN,
        "cognito_user_pool_id": pool_id,
        "database_url": "postgres://127.0.0.1:5432/tenants?sslmode=disable",
        "database_master_secret_arn": master_secret,
        "deletion_protection": False,
    }
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(variables, handle, indent=2)
    print(f"existing_infra: VPC {vpc_id}, subnets {', '.join(subnet_ids)}, ALB {alb['LoadBalancerName']}, "
          f"zone {zone_id}, cluster {cluster}, user pool {pool_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
