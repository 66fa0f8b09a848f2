import { Body, Controller, Post } from "@nestjs/common";
import { PostsService } from "./posts.service";

@Controller("posts")
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  create(@Body() body: any) {
    return this.posts.create(body);
  }

  @Post("draft")
  draft(@Body() body: any) {
    return this.posts.draft(body);
  }
}
