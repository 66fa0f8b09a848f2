import { Module } from "@nestjs/common";
import { GraphQLModule } from "@nestjs/graphql";
import { ApolloDriver } from "@nestjs/apollo";
import { ComplexityPlugin } from "./graphql/complexity.plugin";

@Module({
  imports: [GraphQLModule.forRoot({ driver: ApolloDriver, autoSchemaFile: true })],
  providers: [ComplexityPlugin],
})
export class AppModule {}
