import { Injectable } from "@nestjs/common";
import { plainToInstance } from "class-transformer";
import { validateOrReject } from "class-validator";
import { CreatePostDto } from "./create-post.dto";

@Injectable()
export class PostsService {
  /** Checks the raw body against the DTO before anything reads it. */
  async create(raw: unknown) {
    const post = plainToInstance(CreatePostDto, raw);
    await validateOrReject(post, { whitelist: true });
    return post;
  }

  /** Stores what it is given as it came. */
  async draft(raw: any) {
    return { ...raw, status: "draft" };
  }
}
