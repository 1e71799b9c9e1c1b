import { Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity';

/** What other modules may read about a user (the alert mailer needs the address); auth owns `users`. */
@Injectable()
export class UserDirectory {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  async contact(userId: number): Promise<{ id: number; email: string } | null> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, email: true } });
    return user ? { id: user.id, email: user.email } : null;
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [UserDirectory],
  exports: [UserDirectory],
})
export class UserDirectoryModule {}
